import FoundationEssentials
import Synchronization

/// Polls every source in the background, each on its own schedule: the first poll after a random offset within
/// `startSpread` (and within the source's interval; none in tests, whose jitter is 0), then the source's interval
/// after a success or the `RetryPolicy` delay after a failure. The offset spreads the first requests of many
/// installations restarted together (a rollout, a host reboot) instead of sending them in the same second. Sources run concurrently and
/// independently, so a slow or hanging upstream never delays the others.
///
/// After every poll the runner records the outcome in the `HealthRegistry` (what `up`, the failure counters and
/// `/-/ready` report), logs one line if it failed, saves the state file if a source changed it, and calls
/// `onChange` (which re-renders the exposition).
public final class SourceRunner: Sendable {
    /// Time as the runner sees it. Tests replace it with a virtual clock to follow a backoff schedule over
    /// simulated hours without waiting for it.
    public struct Timing: Sendable {
        public var now: @Sendable () -> Date
        /// Waits that many seconds; throws when the waiting task is cancelled.
        public var sleep: @Sendable (Double) async throws -> Void
        /// A value in `0..<1` for `RetryPolicy`.
        public var jitter: @Sendable () -> Double

        public init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Double) async throws -> Void,
                    jitter: @escaping @Sendable () -> Double) {
            self.now = now
            self.sleep = sleep
            self.jitter = jitter
        }

        public static let system = Timing.system(clock: .system)

        /// Real waits and jitter; dates from `clock`.
        public static func system(clock: WallClock) -> Timing {
            Timing(now: clock.now,
                   sleep: { seconds in try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded()))) },
                   jitter: { Double.random(in: 0..<1) })
        }
    }

    private struct Tasks {
        var loops: [Task<Void, Never>] = []
        /// The poll running now, per source: what `stop()` cancels when the grace period runs out.
        var inFlight: [String: Task<SourceFailure?, Never>] = [:]
        var started = false
    }

    private let sources: [any PolledSource]
    private let upstream: any UpstreamFetching
    private let health: HealthRegistry
    private let state: StateStore
    private let logger: Logger
    private let policy: RetryPolicy
    private let timing: Timing
    private let startSpread: Double
    private let onChange: @Sendable () -> Void
    private let tasks = Mutex(Tasks())

    public init(sources: [any PolledSource], upstream: any UpstreamFetching, health: HealthRegistry, state: StateStore,
                logger: Logger, policy: RetryPolicy = .standard, timing: Timing = .system, startSpread: Double = 0,
                onChange: @escaping @Sendable () -> Void = {}) {
        self.sources = sources
        self.upstream = upstream
        self.health = health
        self.state = state
        self.logger = logger
        self.policy = policy
        self.timing = timing
        self.startSpread = startSpread
        self.onChange = onChange
        // Every source is known before its first poll, so `/-/ready` waits for all of them.
        for source in sources {
            health.register(source.name)
            health.recordInterval(source.name, source.interval)
        }
    }

    /// Starts one background loop per source. Calling it again does nothing.
    public func start() {
        tasks.withLock { tasks in
            guard !tasks.started else { return }
            tasks.started = true
            tasks.loops = sources.map { source in Task { await self.loop(source) } }
        }
    }

    /// Polls every source once, concurrently, and tells whether all succeeded (`--once`).
    public func runOnce() async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            for source in sources {
                group.addTask { await self.poll(source) == nil }
            }
            return await group.reduce(true) { $0 && $1 }
        }
    }

    /// Stops the loops: waits are cancelled at once; polls in flight get `grace` seconds to finish (so their
    /// results are counted and saved), then they are cancelled too.
    public func stop(grace: Double = 5) async {
        let loops = tasks.withLock { tasks in
            defer { tasks.loops = [] }
            return tasks.loops
        }
        guard !loops.isEmpty else { return }
        for loop in loops { loop.cancel() }
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for loop in loops { await loop.value }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(grace * 1000)))
                return false
            }
            if await group.next() == false {
                let polls = tasks.withLock { Array($0.inFlight) }
                logger.warn("polls still running at shutdown, cancelling them",
                            ["sources": polls.map(\.key).sorted().joined(separator: ",")])
                for (_, poll) in polls { poll.cancel() }
            }
            group.cancelAll()
        }
    }

    // MARK: - Polling

    /// Seconds before a source's first poll: `jitter` (0..<1) of the spread, never more than one interval.
    static func startOffset(interval: Double, spread: Double, jitter: Double) -> Double {
        max(0, min(interval, spread)) * jitter
    }

    private func loop(_ source: any PolledSource) async {
        let offset = Self.startOffset(interval: source.interval, spread: startSpread, jitter: timing.jitter())
        if offset > 0 {
            logger.info("first poll delayed", ["source": source.name, "in": DurationParser.format(offset)])
            do {
                try await timing.sleep(offset)
            } catch {
                return
            }
        }
        var consecutiveFailures = 0
        while !Task.isCancelled {
            // An unstructured task: cancelling this loop (stop) must not cut the poll itself short.
            let poll = Task { await self.poll(source) }
            tasks.withLock { $0.inFlight[source.name] = poll }
            let failure = await poll.value
            tasks.withLock { _ = $0.inFlight.removeValue(forKey: source.name) }

            consecutiveFailures = failure == nil ? 0 : consecutiveFailures + 1
            let delay = policy.delay(after: failure, interval: source.interval, consecutiveFailures: consecutiveFailures,
                                     jitter: timing.jitter())
            if failure != nil {
                logger.debug("next poll after failure", ["source": source.name, "in": DurationParser.format(delay),
                                                         "consecutive_failures": "\(consecutiveFailures)"])
            }
            do {
                try await timing.sleep(delay)
            } catch {
                return
            }
        }
    }

    /// One poll of one source, its outcome counted. Returns its failure, nil on success.
    @discardableResult
    func poll(_ source: any PolledSource) async -> SourceFailure? {
        let started = ContinuousClock.now
        let context = PollContext(source: source.name, now: timing.now(), upstream: upstream, health: health)
        var failure: SourceFailure?
        do {
            try await source.poll(context)
        } catch {
            failure = error
        }
        let elapsed = ContinuousClock.now - started
        let duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let failure {
            health.recordFailure(source.name, failure, duration: duration)
            logger.warn("poll failed", ["source": source.name, "reason": failure.reason.rawValue, "err": failure.message])
        } else {
            health.recordSuccess(source.name, at: timing.now(), duration: duration)
        }
        // A poll may change the interval (the credit planner learns the budget), and alerts on staleness use it.
        health.recordInterval(source.name, source.interval)
        state.saveIfChanged()
        onChange()
        // The poll's bodies are decoded and freed, its exposition rendered: a large body's memory goes back.
        LargeBodyMemory.trimIfLargeBody()
        health.markPolled(source.name)
        return failure
    }
}
