#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `--web.config.file`: loaded and checked at start (a bad file is an error there), then re-read when it or a
/// file it names changes, as exporter-toolkit re-reads it for every connection. The check is a `stat` of each
/// file, at most once a second, on the event loops; an edit that does not parse or whose certificate does not
/// load is reported and the last good configuration stays in force.
public final class WebConfigFile: Sendable {
    public let path: String
    /// In a struct, not bare in the `Mutex`: a closure stored as its generic `Value` is read through `withLock`'s
    /// `inout` with a reabstraction thunk each way, and every read would leave the stored closure wrapped in two more.
    private struct EventHandler: Sendable {
        var handle: (@Sendable (Event) -> Void)?
    }

    private let eventHandler = Mutex(EventHandler())
    private let state: Mutex<State>
    /// bcrypt's verdicts on recent credentials, right and wrong; emptied by every reload.
    public let credentials: CredentialCache
    private static let checkInterval: UInt64 = 1_000_000_000

    /// What happened on a re-read, for the application's log.
    public enum Event: Sendable {
        case reloaded(path: String)
        case rejected(path: String, error: WebConfigError)
    }

    /// The configuration in force and what was built from it.
    final class Active: Sendable {
        let config: WebConfig
        let tls: TLSContext?
        let headers: [(name: String, value: String)]
        let rateLimiter: RateLimiter?

        init(config: WebConfig, tls: TLSContext?) {
            self.config = config
            self.tls = tls
            headers = config.headers.map { ($0.name, $0.value) }
            rateLimiter = config.rateLimit.map { RateLimiter($0) }
        }
    }

    private struct State {
        var active: Active
        var stamps: [[Int]?]
        var nextCheck: UInt64
    }

    /// Loads the file. Throws naming the key (or the file) when it cannot be used.
    public init(path: String, credentialLimits: CredentialCache.Limits = .standard) throws(WebConfigError) {
        self.path = path
        credentials = CredentialCache(limits: credentialLimits)
        let (active, stamps) = try Self.load(path)
        state = Mutex(State(active: active, stamps: stamps, nextCheck: Self.monotonicNow() + Self.checkInterval))
    }

    public var config: WebConfig { current().config }

    /// Where re-reads are reported (the application's log); set once the logger exists.
    public func setEventHandler(_ handler: @escaping @Sendable (Event) -> Void) {
        eventHandler.withLock { $0.handle = handler }
    }

    private func report(_ event: Event) {
        eventHandler.withLock { $0 }.handle?(event)
    }

    /// Whether the file configures TLS (decided at start: a reload cannot turn a plain port into a TLS one).
    public var servesTLS: Bool { current().tls != nil }

    /// The configuration in force, re-read first when a second has passed and a file changed.
    func current() -> Active {
        let now = Self.monotonicNow()
        // One lock per request in the common case: not due, the configuration in force.
        let (active, previousStamps) = state.withLock { (state: inout State) -> (Active, [[Int]?]?) in
            guard now >= state.nextCheck else { return (state.active, nil) }
            state.nextCheck = now + Self.checkInterval
            return (state.active, state.stamps)
        }
        guard let previousStamps else { return active }
        let files = Self.files(path, active.config)
        let stamps = files.map(FileBytes.stamp)
        guard stamps != previousStamps else { return active }
        return reload(stamps: stamps)
    }

    private func reload(stamps: [[Int]?]) -> Active {
        do throws(WebConfigError) {
            let (candidate, newStamps) = try Self.load(path)
            let previous = state.withLock { $0.active }
            if (candidate.tls == nil) != (previous.tls == nil) {
                throw WebConfigError(key: "tls_server_config", "TLS cannot be turned \(previous.tls == nil ? "on" : "off") without a restart")
            }
            state.withLock {
                $0.active = candidate
                $0.stamps = newStamps
            }
            // A verdict is only as good as the file it was made under: a user removed or a hash replaced must
            // not stay accepted, and checks still running store nothing.
            credentials.clear()
            report(.reloaded(path: path))
            return candidate
        } catch {
            // Remember the stamps of the bad version, so that it is reported once, not every second.
            state.withLock { $0.stamps = stamps }
            report(.rejected(path: path, error: error))
            return state.withLock { $0.active }
        }
    }

    private static func load(_ path: String) throws(WebConfigError) -> (Active, [[Int]?]) {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw WebConfigError(key: nil, "cannot read the file: \(error.reason)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw WebConfigError(key: nil, "not UTF-8 text")
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let config = try WebConfig.parse(text, directory: directory.isEmpty ? "/" : directory)
        let tls = try config.tls.map { settings throws(WebConfigError) in try TLSContext(settings) }
        // Stamped after reading: an edit racing the read is seen at the next check.
        return (Active(config: config, tls: tls), files(path, config).map(FileBytes.stamp))
    }

    /// The config file and the files it names: a renewed certificate is picked up like an edited config.
    private static func files(_ path: String, _ config: WebConfig) -> [String] {
        var files = [path]
        for source in [config.tls?.certificate, config.tls?.key, config.tls?.clientCA] {
            if case .file(let file) = source { files.append(file) }
        }
        return files
    }

    private static func monotonicNow() -> UInt64 { EventLoop.monotonicNow() }
}

/// exporter-toolkit's `rate_limit`: a token bucket over all requests; an empty bucket answers 429.
final class RateLimiter: Sendable {
    private let interval: UInt64
    private let burst: Int
    private let bucket: Mutex<(tokens: Int, refilledAt: UInt64)>

    init(_ limit: WebConfig.RateLimit) {
        interval = UInt64(max(1, limit.interval * 1_000_000_000))
        burst = limit.burst
        bucket = Mutex((limit.burst, EventLoop.monotonicNow()))
    }

    func allow(now: UInt64 = EventLoop.monotonicNow()) -> Bool {
        bucket.withLock { bucket in
            let refill = Int(min(UInt64(burst), (now &- bucket.refilledAt) / interval))
            if refill > 0 {
                bucket.tokens = min(burst, bucket.tokens + refill)
                // Keep the part of an interval already waited, unless the bucket is full again.
                bucket.refilledAt = bucket.tokens == burst ? now : bucket.refilledAt + UInt64(refill) * interval
            }
            guard bucket.tokens > 0 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
