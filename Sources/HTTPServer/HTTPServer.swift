#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FoundationEssentials
import Synchronization
import CEpoll

/// An HTTP/1.1 server on raw sockets for a handler that answers at once from memory (an exporter's cached
/// exposition): GET and HEAD, keep-alive, pipelining, timeouts against slow clients, a connection cap, and
/// optionally exporter-toolkit's web config (TLS through OpenSSL, bcrypt basic auth, extra headers).
/// It knows nothing of what it serves.
///
/// ```swift
/// let server = HTTPServer(configuration: HTTPServerConfiguration(listenAddress: try .parse(":9877")), handler: app)
/// try server.start()
/// // ...
/// server.shutdown(drainTimeout: 5)
/// ```
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let context: ServerContext
    private let state = Mutex(State())

    private struct State {
        var listenFD: Int32 = -1
        var port = 0
        var loops: [EventLoop] = []
        var finished: [DispatchSemaphore] = []
        var started = false
        var stopped = false
        /// Why the refused-connection loop runs at the other loops' priority, when lowering it failed.
        var priorityProblem: String?
    }

    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler) {
        self.configuration = configuration
        self.context = ServerContext(configuration: configuration, handler: handler)
    }

    /// Binds, listens and starts the event loops. Throws, naming the address and the reason, when the
    /// address cannot be listened on (in use, not an address of this host, no permission).
    public func start() throws(HTTPServerError) {
        // A client that goes away mid-response must not kill the process; sends also pass MSG_NOSIGNAL.
        signal(SIGPIPE, SIG_IGN)
        try state.withLock { (state: inout State) throws(HTTPServerError) in
            guard !state.started else { throw .alreadyStarted }
            let (listenFD, port) = try ListeningSocket.open(configuration.listenAddress)
            var loops: [EventLoop] = []
            do throws(HTTPServerError) {
                for _ in 0..<max(1, configuration.loopCount) {
                    loops.append(try EventLoop(context: context, listenFD: listenFD))
                }
                if context.checksCredentials {
                    // One more loop, accepting nothing, for the connections refused for their credentials.
                    let refusedConnectionLoop = try EventLoop(context: context, listenFD: nil)
                    loops.forEach { $0.refusedConnectionLoop = refusedConnectionLoop }
                    refusedConnectionLoop.acceptingLoops = loops.map { EventLoop.WeakLoop(loop: $0) }
                    loops.append(refusedConnectionLoop)
                }
            } catch {
                close(listenFD)
                throw error
            }
            state.listenFD = listenFD
            state.port = port
            state.loops = loops
            state.started = true
            context.verifier?.start()
            let acceptingLoops = max(1, configuration.loopCount)
            let prioritySet = DispatchSemaphore(value: 0)
            let priorityError = Mutex<Int32>(0)
            for (index, loop) in loops.enumerated() {
                let finished = DispatchSemaphore(value: 0)
                state.finished.append(finished)
                let refusing = index >= acceptingLoops
                OSThread.detach {
                    cepoll_set_thread_name(refusing ? "http-refused" : "http-loop-\(index)")
                    if refusing {
                        // The scheduler favours the loops that serve everyone else over a flood of wrong passwords.
                        // Only this thread can change its own nice value; `start` waits to hear whether it could.
                        if cepoll_lower_thread_priority(by: EventLoop.refusedConnectionNiceness) != 0 {
                            let error = errno
                            priorityError.withLock { $0 = error }
                        }
                        prioritySet.signal()
                    }
                    loop.run()
                    finished.signal()
                }
            }
            if loops.count > acceptingLoops {
                prioritySet.wait()
                let error = priorityError.withLock { $0 }
                if error != 0 { state.priorityProblem = "setpriority: \(String(cString: strerror(error)))" }
            }
        }
    }

    /// Why the refused-connection loop could not be given a lower priority (a seccomp profile refusing
    /// `setpriority`, say); nil when it was, or when the server checks no credentials. It still serves the
    /// refused connections, at the other loops' priority.
    public var refusedConnectionPriorityProblem: String? {
        state.withLock { $0.priorityProblem }
    }

    /// What the server refused so far (`configuration.statistics`).
    public var statistics: HTTPServerStatistics { configuration.statistics }

    /// Connections held by each loop, the refused-connection loop last (for tests).
    var connectionsPerLoop: [Int] {
        state.withLock { $0.loops.map(\.connectionCount) }
    }

    /// Connections moved to the refused-connection loop so far, and back from it (for tests).
    var connectionMoves: (toRefusedLoop: Int, back: Int) {
        (context.movedToRefusedLoop.load(ordering: .relaxed), context.movedBack.load(ordering: .relaxed))
    }

    /// The bcrypt workers (nil without a web config).
    var verifier: CredentialVerifier? { context.verifier }

    /// The port listened on (the one the kernel chose when the configuration said 0); 0 before `start`.
    public var port: Int {
        state.withLock { $0.port }
    }

    /// Stops accepting, lets responses being written finish (for at most `drainTimeout` seconds), closes every
    /// connection and the listening socket, and returns. Must not be called from a handler.
    public func shutdown(drainTimeout: Double = 5) {
        let (loops, finished, listenFD) = state.withLock { state -> ([EventLoop], [DispatchSemaphore], Int32) in
            guard state.started, !state.stopped else { return ([], [], -1) }
            state.stopped = true
            return (state.loops, state.finished, state.listenFD)
        }
        guard !loops.isEmpty else { return }
        context.drainDeadline.store(EventLoop.deadline(after: drainTimeout), ordering: .relaxed)
        context.draining.store(true, ordering: .releasing)
        loops.forEach { $0.wake() }
        finished.forEach { $0.wait() }
        // After the loops: requests parked for a verdict were answered during the drain.
        context.verifier?.stop()
        close(listenFD)
        state.withLock { $0.loops = [] }
    }

    deinit {
        shutdown(drainTimeout: 0)
    }
}
