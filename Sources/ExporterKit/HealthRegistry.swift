import FoundationEssentials
import Synchronization

/// What the exporter knows about one source's polls.
public struct SourceHealth: Sendable, Equatable {
    public var name: String
    /// `nil` until the first poll finished.
    public var up: Bool?
    public var lastSuccess: Date?
    public var lastDuration: Double?
    public var lastError: String?
    /// Seconds between successful polls as the source last reported it (it may change: credit budget).
    public var interval: Double?
    public var requests: Int = 0
    /// Body bytes of the answers received, as they came over the wire (compressed size when compressed).
    public var responseBytes: Int = 0
    public var failures: [FailureReason: Int] = [:]

    public init(name: String) {
        self.name = name
    }

    /// True once the first poll is complete: counted, saved and rendered (what `/-/ready` waits for, so that a
    /// scrape right after it already sees the data).
    public var hasBeenPolled = false
}

/// Health of every enabled source: what the self metrics, the landing page and `/-/ready` report.
public final class HealthRegistry: Sendable {
    private let state: Mutex<[String: SourceHealth]>

    public init(sources: [String]) {
        state = Mutex(Dictionary(uniqueKeysWithValues: sources.map { ($0, SourceHealth(name: $0)) }))
    }

    public func register(_ source: String) {
        state.withLock { if $0[source] == nil { $0[source] = SourceHealth(name: source) } }
    }

    public func recordInterval(_ source: String, _ seconds: Double) {
        state.withLock { $0[source, default: SourceHealth(name: source)].interval = seconds }
    }

    public func countRequest(_ source: String) {
        state.withLock { $0[source, default: SourceHealth(name: source)].requests += 1 }
    }

    public func countResponseBytes(_ source: String, _ bytes: Int) {
        state.withLock { $0[source, default: SourceHealth(name: source)].responseBytes += bytes }
    }

    public func recordSuccess(_ source: String, at date: Date, duration: Double) {
        state.withLock {
            $0[source, default: SourceHealth(name: source)].up = true
            $0[source]!.lastSuccess = date
            $0[source]!.lastDuration = duration
            $0[source]!.lastError = nil
        }
    }

    public func recordFailure(_ source: String, _ failure: SourceFailure, duration: Double) {
        state.withLock {
            $0[source, default: SourceHealth(name: source)].up = false
            $0[source]!.lastDuration = duration
            $0[source]!.lastError = failure.description
            $0[source]!.failures[failure.reason, default: 0] += 1
        }
    }

    /// The poll's outcome is counted, saved and rendered: the source counts as polled from now on.
    public func markPolled(_ source: String) {
        state.withLock { $0[source, default: SourceHealth(name: source)].hasBeenPolled = true }
    }

    /// All sources, sorted by name.
    public var snapshot: [SourceHealth] {
        state.withLock { $0.values.sorted { $0.name < $1.name } }
    }

    public func health(of source: String) -> SourceHealth? {
        state.withLock { $0[source] }
    }
}
