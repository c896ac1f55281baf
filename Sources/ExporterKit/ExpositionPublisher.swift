import FoundationEssentials
import Synchronization
import Exposition

/// Holds the rendered `/metrics` body. It is rendered when data changes (after each poll) and on a short timer
/// (so `process_*` moves and data past its max age disappears without waiting for a poll); a scrape only reads
/// the cached bytes and never renders. Each new body is gzip-compressed once, here, so that a scrape asking for
/// gzip does not compress either.
public final class ExpositionPublisher: Sendable {
    /// The current body (plain and gzip) and a counter that moves only when its bytes change.
    public struct Snapshot: Sendable {
        public let body: [UInt8]
        /// The same body gzip-compressed; nil only if zlib failed (then scrapes get the plain body).
        public let gzipBody: [UInt8]?
        public let version: Int
    }

    private let collectors: [any MetricsCollector]
    private let logger: Logger
    private let published = Mutex(Snapshot(body: [], gzipBody: Gzip.compress([]), version: 0))
    /// Bodies compressed so far: one per change of the exposition, none per scrape.
    private let compressions = Atomic<Int>(0)
    /// Serialises refreshes, so a render of older data can never replace a newer body.
    private let rendering = Mutex(())
    private let refresher = Mutex<Task<Void, Never>?>(nil)

    public init(collectors: [any MetricsCollector], logger: Logger) {
        self.collectors = collectors
        self.logger = logger
    }

    /// The body to send: the same array storage every scrape, not a copy.
    public var current: [UInt8] { published.withLock { $0.body } }

    public var snapshot: Snapshot { published.withLock { $0 } }

    /// How many bodies were gzip-compressed: it moves with renders that change the bytes, never with scrapes.
    public var compressionCount: Int { compressions.load(ordering: .relaxed) }

    /// Collects from every collector and renders. The body is replaced (and the version bumped) only when the
    /// bytes differ; a render error is logged and the previous body kept. Returns whether the body changed.
    @discardableResult
    public func refresh(now: Date = Date()) -> Bool {
        rendering.withLock { _ in
            // A large exposition's families, freed once rendered, go back to the system.
            defer { LargeBodyMemory.trimIfLargeBody() }
            let body: [UInt8]
            do {
                body = try TextFormat.render(collectors.flatMap { $0.collect(now: now) })
                LargeBodyMemory.noteBody(bytes: body.count)
            } catch {
                logger.error("cannot render the exposition, serving the previous one", ["err": "\(error)"])
                return false
            }
            guard published.withLock({ $0.body != body }) else { return false }
            // Compressed outside the lock that scrapes take; `rendering` already keeps refreshes in order.
            let gzipBody = Gzip.compress(body)
            compressions.add(1, ordering: .relaxed)
            return published.withLock { published in
                published = Snapshot(body: body, gzipBody: gzipBody, version: published.version + 1)
                return true
            }
        }
    }

    /// After a change (a poll finished): renders at once while the exposition is served (between
    /// `startPeriodicRefresh()` and `stopPeriodicRefresh()`). Otherwise no scrape can come in between, and whoever
    /// reads the body renders it first (`--once`, tests rendering at an explicit time): a render per poll would
    /// be thrown away.
    public func refreshAfterChange(now: Date) {
        guard refresher.withLock({ $0 != nil }) else { return }
        refresh(now: now)
    }

    /// Refreshes every `interval` seconds, at the time `now` gives, until `stopPeriodicRefresh()`. Calling it again
    /// restarts the timer.
    public func startPeriodicRefresh(every interval: Double = 5, now: @escaping @Sendable () -> Date = { Date() }) {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                guard let self, !Task.isCancelled else { return }
                self.refresh(now: now())
            }
        }
        refresher.withLock {
            $0?.cancel()
            $0 = task
        }
    }

    public func stopPeriodicRefresh() {
        refresher.withLock {
            $0?.cancel()
            $0 = nil
        }
    }

    deinit {
        refresher.withLock { $0?.cancel() }
    }
}
