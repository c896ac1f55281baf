import Foundation
import Synchronization
@testable import AkashExporter
import ExporterKit
import Exposition
import TestSupport

/// The real `Exporter`, flags parsed by `ExporterConfig.parse`, on a clock the test sets: its runner polls when the
/// test says, and the exposition is rendered by its publisher at an explicit `now`.
final class ExporterUnderTest: Sendable {
    /// 2026-05-26T12:05:00Z, a minute after the fixtures' `last_updated`.
    static let start = Date(timeIntervalSince1970: 1_779_797_100)
    /// Every registered interval flag at one minute, so that every box's max age is 3 minutes (key info has a
    /// fixed 5-minute interval). A sector symbol CoinMarketCap does not know keeps `cmc_map` asking on every
    /// poll, as it does for a user's typo; a fully resolved sector never calls `/map` again.
    static let oneMinutePolls = ["--cmc.sector=AKT,RENDER,FIL,HNT,NOSUCHCOIN"]
        + SourceRegistry.all.compactMap(\.intervalFlag?.name).uniqued().map { "--\($0)=1m" }

    let logs = LogCapture()
    let exporter: Exporter
    private let clock = SetClock(ExporterUnderTest.start)

    var state: StateStore { exporter.state }
    var health: HealthRegistry { exporter.health }
    var runner: SourceRunner { exporter.runner }
    var sourceNames: [String] { exporter.sources.map(\.name) }

    /// - Parameters:
    ///   - arguments: command-line flags (later ones win, as on a real command line).
    ///   - only: poll just these sources (the backoff tests follow one source's schedule on its own clock).
    ///   - timing: the runner's clock; by default the one `poll(at:)` sets.
    init(arguments: [String], environment: [String: String], only: Set<String>? = nil,
         timing: SourceRunner.Timing? = nil) throws {
        guard case .run(let config) = try ExporterConfig.parse(arguments: arguments, environment: environment) else {
            throw ConfigError("expected a run configuration")
        }
        let clock = clock
        exporter = Exporter(config: config, logger: logs.logger(level: .debug), upstream: CurlUpstream(),
                            timing: timing ?? SourceRunner.Timing(now: { clock.now }, sleep: { _ in }, jitter: { 0 }),
                            only: only)
    }

    /// The exporter against `upstreams` (every API there unless redirected by `extra` flags), with a key.
    convenience init(_ upstreams: FakeUpstream, _ extra: [String] = [], apiKey: String = AppFakes.apiKey,
                     only: Set<String>? = nil, timing: SourceRunner.Timing? = nil) throws {
        try self.init(arguments: ["--state.file="] + AppFakes.upstreamFlags(upstreams) + Self.oneMinutePolls + extra,
                      environment: ["CMC_API_KEY": apiKey], only: only, timing: timing)
    }

    /// Seconds the source's data is served after its last success: `LastGood.intervalsServed` of its interval.
    func maxAge(of source: String) -> Double {
        LastGood<Int>.intervalsServed * exporter.sources.first { $0.name == source }!.interval
    }

    /// One round: every source polled once, concurrently, at `now`. True when all succeeded.
    func poll(at now: Date) async -> Bool {
        clock.now = now
        return await runner.runOnce()
    }

    /// The whole `/metrics` body as the publisher renders it at `now`.
    func scrape(at now: Date) throws -> Scrape {
        exporter.publisher.refresh(now: now)
        return Scrape(text: String(decoding: exporter.publisher.current, as: UTF8.self))
    }

    /// Sources whose last poll failed, with their error: what a failed `#expect` should show.
    var down: String {
        health.snapshot.filter { $0.up == false }.map { "\($0.name): \($0.lastError ?? "")" }.joined(separator: "; ")
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

/// Time as the test sets it.
final class SetClock: Sendable {
    private let date: Mutex<Date>

    init(_ date: Date) {
        self.date = Mutex(date)
    }

    var now: Date {
        get { date.withLock { $0 } }
        set { date.withLock { $0 = newValue } }
    }
}

/// A rendered exposition, read the way a user reads `/metrics`: by series.
struct Scrape: Sendable, CustomStringConvertible {
    let text: String

    var description: String { text }

    /// The value of one series, written exactly as rendered (`name{label="v"}`); nil when absent.
    func value(_ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Sample lines (no comments) of the series that start with one of `prefixes`.
    func samples(_ prefixes: [String]) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            !line.hasPrefix("#") && prefixes.contains { line.hasPrefix($0) }
        }
    }

    func up(_ source: String) -> Double? {
        value("akash_exporter_source_up{source=\"\(source)\"}")
    }

    func failures(_ source: String, _ reason: FailureReason) -> Double? {
        value("akash_exporter_source_failures_total{source=\"\(source)\",reason=\"\(reason.rawValue)\"}")
    }

    /// Every reason's count for `source`, the zeros included (they are exported from the start).
    func failureCounts(_ source: String) -> [FailureReason: Double] {
        Dictionary(uniqueKeysWithValues: Exporter.failureReasons.map { ($0, failures(source, $0) ?? -1) })
    }
}

