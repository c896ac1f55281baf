import Dispatch
import Synchronization
import CEpoll

/// Runs bcrypt for credentials the cache has no verdict for, on threads of its own, so that an event loop never
/// does: a loop hands the check over with a completion and goes on serving its other connections; the completion
/// brings the verdict back to the loop. The work is bounded: at most `maxPending` distinct credentials queued or
/// being checked, beyond which a new one is refused at once. A credential already pending is not checked twice:
/// the request joins the pending check (32 connections repeating one new wrong password cost one bcrypt).
///
/// Checks come in two classes. A connection that has already been refused for its credentials (a flood: each
/// connection sends wrong password after wrong password) may take all but `reservedSlots` of the pending places and
/// queues behind everyone; any other connection (a scraper's, new or served before) may take every place and goes
/// ahead of the refused ones in the queue. So a flood over kept-alive connections can saturate the workers but not
/// shut out a scraper whose credential is new. Priority workers take only those preferred checks: a scraper's new
/// credential does not even wait for the flood's check in progress on the other workers (on two cores, one bcrypt
/// in progress made a first scrape during a flood of new passwords take 278 ms instead of 120).
final class CredentialVerifier: Sendable {
    typealias Completion = @Sendable (_ accepted: Bool) -> Void

    enum Submission: Equatable {
        /// Queued for a worker.
        case queued
        /// The same credential is already pending: its verdict answers this request too.
        case joined
        /// `maxPending` checks are pending (or the server is stopping): answer 429 without running bcrypt.
        case overloaded
    }

    private struct State {
        /// Checks for connections never refused, served first.
        var preferred: [CredentialCheck] = []
        /// Checks for connections already refused for their credentials.
        var queue: [CredentialCheck] = []
        /// Completions by credential, for every check queued or running: its count is what `maxPending` bounds.
        var pending: [CredentialDigest: [Completion]] = [:]
        var stopped = false
    }

    let workerCount: Int
    /// Workers that run only checks for connections never refused.
    let priorityWorkerCount: Int
    let maxPending: Int
    /// Pending places only connections never refused may take.
    let reservedSlots: Int
    private let passwordMatches: @Sendable (_ password: String, _ hash: String) -> Bool
    private let state = Mutex(State())
    /// One signal per queued check, and one per worker to stop.
    private let work = DispatchSemaphore(value: 0)
    /// One signal per preferred check queued, and one per priority worker to stop.
    private let priorityWork = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)
    private let checksRun = Atomic<Int>(0)

    init(workerCount: Int, priorityWorkerCount: Int = 0, maxPending: Int,
         passwordMatches: @escaping @Sendable (_ password: String, _ hash: String) -> Bool) {
        self.workerCount = max(1, workerCount)
        self.priorityWorkerCount = max(0, priorityWorkerCount)
        self.maxPending = max(1, maxPending)
        // A quarter of the places, at least one once there are two.
        reservedSlots = self.maxPending > 1 ? max(1, self.maxPending / 4) : 0
        self.passwordMatches = passwordMatches
    }

    /// bcrypt runs so far (what the cache and the joining of pending checks save).
    var checkCount: Int { checksRun.load(ordering: .relaxed) }

    /// Checks queued or running, and the requests waiting for their verdicts.
    var pending: (checks: Int, requests: Int) {
        state.withLock { state in (state.pending.count, state.pending.values.reduce(0) { $0 + $1.count }) }
    }

    /// Starts the worker threads (once).
    func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        for index in 0..<workerCount {
            OSThread.detach { [self] in
                cepoll_set_thread_name("http-auth-\(index)")
                runWorker(priority: false)
            }
        }
        for index in 0..<priorityWorkerCount {
            OSThread.detach { [self] in
                cepoll_set_thread_name("http-auth-p\(index)")
                runWorker(priority: true)
            }
        }
    }

    /// Lets the workers finish the check in hand and end; checks still queued are dropped (their connections are
    /// closed by the loops' drain).
    func stop() {
        let wasRunning = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.stopped = true
            state.queue = []
            state.preferred = []
            state.pending = [:]
            return true
        }
        guard wasRunning, started.load(ordering: .relaxed) else { return }
        for _ in 0..<workerCount { work.signal() }
        for _ in 0..<priorityWorkerCount { priorityWork.signal() }
    }

    /// Hands a check to the workers; `completion` is called on a worker thread with the verdict, unless the answer
    /// is `.overloaded` (then it is never called). `fromRefusedConnection`: the request's connection was already
    /// refused for its credentials (it gets fewer places and queues last).
    func submit(_ check: CredentialCheck, fromRefusedConnection refused: Bool,
                completion: @escaping Completion) -> Submission {
        let submission = state.withLock { state -> Submission in
            guard !state.stopped else { return .overloaded }
            if state.pending[check.digest] != nil {
                state.pending[check.digest]!.append(completion)
                return .joined
            }
            guard state.pending.count < maxPending - (refused ? reservedSlots : 0) else { return .overloaded }
            state.pending[check.digest] = [completion]
            if refused {
                state.queue.append(check)
            } else {
                state.preferred.append(check)
            }
            return .queued
        }
        if submission == .queued {
            // A preferred check wakes a worker of each kind: whichever takes it first runs it, and the other finds
            // nothing (or a check of its own kind) and waits again.
            work.signal()
            if !refused, priorityWorkerCount > 0 { priorityWork.signal() }
        }
        return submission
    }

    /// `priority`: takes preferred checks only.
    private func runWorker(priority: Bool) {
        let signals = priority ? priorityWork : work
        while true {
            signals.wait()
            let next = state.withLock { state -> CredentialCheck?? in
                if state.stopped { return .none }
                if !state.preferred.isEmpty { return .some(state.preferred.removeFirst()) }
                if priority { return .some(nil) }
                return .some(state.queue.isEmpty ? nil : state.queue.removeFirst())
            }
            guard let next else { return }  // stopped
            guard let check = next else { continue }
            let accepted = check.run(passwordMatches, now: EventLoop.monotonicNow())
            checksRun.add(1, ordering: .relaxed)
            // The verdict is in the cache before the check stops being pending: a request in between finds one of
            // the two and never starts a second bcrypt for the same credential.
            let completions = state.withLock { $0.pending.removeValue(forKey: check.digest) ?? [] }
            for completion in completions { completion(accepted) }
        }
    }
}
