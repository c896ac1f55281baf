#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import COpenSSL
import Synchronization

/// What the loops of one server share: the handler, the settings, the connection budget, the bcrypt workers and
/// the shutdown.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let unauthorized: HTTPResponse
    /// Connections open across all loops, against `maxConnections`.
    let openConnections = Atomic<Int>(0)
    /// Set by `shutdown`: stop accepting, finish the responses being written, close the rest.
    let draining = Atomic<Bool>(false)
    /// Monotonic nanoseconds at which draining gives up on slow responses.
    let drainDeadline = Atomic<UInt64>(0)
    /// Whether connections start with a TLS handshake: fixed at start from the web config.
    let servesTLS: Bool
    /// bcrypt off the loops, when a web config may name users (a reload can add them).
    let verifier: CredentialVerifier?
    /// Numbers connections across the loops, so that a verdict for a closed connection is not taken for its
    /// descriptor's next one, even after a connection moved to the refused-connection loop.
    private let serials = Atomic<UInt64>(0)
    /// Whether requests can be refused for their credentials (a web config, or `basicAuth`): then the server runs
    /// a loop of its own for the connections refused.
    var checksCredentials: Bool { configuration.webConfig != nil || configuration.basicAuth != nil }
    var statistics: HTTPServerStatistics { configuration.statistics }

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
        self.unauthorized = ServerResponses.unauthorized(realm: configuration.authRealm)
        self.servesTLS = configuration.webConfig?.servesTLS ?? false
        verifier = configuration.webConfig == nil ? nil
            : CredentialVerifier(workerCount: configuration.verificationWorkers,
                                 priorityWorkerCount: configuration.priorityVerificationWorkers,
                                 maxPending: configuration.maxPendingVerifications ?? 4 * configuration.verificationWorkers,
                                 passwordMatches: configuration.passwordMatches)
    }

    /// What to do with a request before the handler sees it.
    enum Admission {
        case serve
        /// Served: its credentials are right (a connection refused before is no longer one).
        case authorized
        case refuse(HTTPResponse)
        /// The 401: missing, malformed, unknown or wrong credentials (counted).
        case wrongCredentials(HTTPResponse)
        /// Credentials the cache has no verdict for: bcrypt has to decide, off the loop.
        case verify(CredentialCheck)
    }

    /// Whether the request may be served: rate limit, then credentials (probe paths need neither); with the extra
    /// headers of the web config. Never runs bcrypt.
    func admit(_ request: HTTPRequest, now: UInt64) -> (admission: Admission, headers: [(name: String, value: String)]) {
        let active = configuration.webConfig?.current()
        let headers = active?.headers ?? []
        if configuration.unauthenticatedPaths.contains(request.path) { return (.serve, headers) }
        if let limiter = active?.rateLimiter, !limiter.allow() { return (.refuse(ServerResponses.tooManyRequests), headers) }
        if let active, !active.config.users.isEmpty {
            switch active.config.decide(authorization: request.header("Authorization"),
                                        cache: configuration.webConfig!.credentials, now: now) {
            case .accepted: return (.authorized, headers)
            case .rejected: return (.wrongCredentials(rejectWrongCredentials()), headers)
            case .unseen(let check): return (.verify(check), headers)
            }
        }
        if let credentials = configuration.basicAuth {
            guard credentials.accepts(authorization: request.header("Authorization")) else {
                return (.wrongCredentials(rejectWrongCredentials()), headers)
            }
            return (.authorized, headers)
        }
        return (.serve, headers)
    }

    /// The 401, counted.
    func rejectWrongCredentials() -> HTTPResponse {
        statistics.countAuthRejection(.wrongCredentials)
        return unauthorized
    }

    /// Connections moved to the refused-connection loop, and back once their credentials were right (for tests).
    let movedToRefusedLoop = Atomic<Int>(0)
    let movedBack = Atomic<Int>(0)

    func nextSerial() -> UInt64 {
        serials.add(1, ordering: .relaxed).newValue
    }

    /// Takes a connection slot; false when the server is full.
    func acquireConnectionSlot() -> Bool {
        if openConnections.add(1, ordering: .relaxed).newValue <= configuration.maxConnections { return true }
        openConnections.subtract(1, ordering: .relaxed)
        return false
    }

    func releaseConnectionSlot() {
        openConnections.subtract(1, ordering: .relaxed)
    }
}

/// One event-loop thread: its own epoll set, the shared listening socket (registered with `EPOLLEXCLUSIVE`
/// so a new connection wakes one loop, not all), and the connections it accepted. A server that checks credentials
/// has one more loop, the refused-connection loop, which accepts nothing: a connection refused for its credentials
/// (a 401, or a 429 for want of bcrypt workers) moves there once that answer is out, so a flood of wrong passwords on
/// kept-alive connections costs one core at most and the other loops keep serving scrapers at once. Nothing here blocks:
/// sockets are non-blocking, partial writes resume on `EPOLLOUT`, and a sweep closes connections whose
/// deadline passed, so no client can hold a loop. With TLS (a web config's `tls_server_config`) each connection
/// starts with a handshake driven by the same readiness events (OpenSSL says whether it needs to read or to write);
/// the handshake counts against the read timeout. bcrypt never runs here: a request whose credentials the cache
/// has no verdict for is parked (its connection leaves the epoll set) while a `CredentialVerifier` worker checks
/// them, and answered when the worker's verdict comes back through the loop's eventfd.
final class EventLoop: @unchecked Sendable {  // its state is touched only on its own thread
    private let context: ServerContext
    /// The shared listening socket; nil for the refused-connection loop.
    private let listenFD: Int32?
    /// Where this loop sends connections refused for their credentials (nil on that loop itself, or when the
    /// server checks no credentials). Set before the loop runs.
    var refusedConnectionLoop: EventLoop?
    /// On the refused-connection loop: where a connection goes back once its credentials are right (weak: the
    /// accepting loops hold this one). Set before the loop runs.
    var acceptingLoops: [WeakLoop] = []

    struct WeakLoop {
        weak var loop: EventLoop?
    }
    /// Connections handed to this loop by the others, taken on the next wake-up; `closed` once the loop finished.
    private let arrivals = Mutex<(connections: [Connection], closed: Bool)>(([], false))
    private let epollFD: Int32
    private let wakeFD: Int32
    /// Connections by file descriptor (descriptors are small integers, so an array is the fastest map).
    private var connections: [Connection?] = []
    /// How many connections this loop holds (an atomic so that tests can read it from their thread).
    private let liveCount = Atomic<Int>(0)
    var connectionCount: Int { liveCount.load(ordering: .relaxed) }
    private var acceptPaused = false
    private var now: UInt64 = 0
    private var nextSweep: UInt64 = 0
    /// Verdicts from the verification workers, taken on the next wake-up.
    private let verdicts = Mutex<[Verdict]>([])

    private struct Verdict {
        let fd: Int32
        let serial: UInt64
        let accepted: Bool
    }

    /// Reused for every read and every response head, so serving a request allocates nothing of its own.
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var headBuffer: [UInt8] = []
    private static let eventCapacity: Int32 = 256
    private let events = cepoll_events_allocate(EventLoop.eventCapacity)!

    /// How much nicer the refused-connection loop's thread is than the others: under contention it gets about a tenth
    /// of what they get (the kernel's weights: 1024 at 0, 110 at 10), and all of an idle core.
    static let refusedConnectionNiceness: Int32 = 10

    private static let listenToken = UInt64.max
    private static let wakeToken = UInt64.max - 1
    /// Connections accepted per wake-up: small, so that loops share a burst of new connections.
    private static let acceptBatch = 4
    /// Bodies up to this size go out in the same TLS record as their head (a record holds at most 16 KiB).
    private static let tlsRecordCoalescing = 12 * 1024

    private let readTimeout: UInt64
    private let idleTimeout: UInt64
    private let writeTimeout: UInt64
    private let lingerTimeout: UInt64
    private let sweepInterval: UInt64

    /// A loop that accepts from `listenFD`, or, given nil, the refused-connection loop.
    init(context: ServerContext, listenFD: Int32?) throws(HTTPServerError) {
        self.context = context
        self.listenFD = listenFD
        let configuration = context.configuration
        readTimeout = Self.nanoseconds(configuration.readTimeout)
        idleTimeout = Self.nanoseconds(configuration.idleTimeout)
        writeTimeout = Self.nanoseconds(configuration.writeTimeout)
        lingerTimeout = min(readTimeout, Self.nanoseconds(2))
        // Deadlines are enforced to within a tenth of the shortest timeout (at most a quarter second late).
        sweepInterval = max(Self.nanoseconds(0.005), min(min(readTimeout, idleTimeout, writeTimeout) / 10, Self.nanoseconds(0.25)))
        headBuffer.reserveCapacity(1024)

        epollFD = cepoll_create()
        wakeFD = cepoll_eventfd()
        guard epollFD >= 0, wakeFD >= 0,
              cepoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, CEPOLL_IN, Self.wakeToken) == 0,
              listenFD.map({ cepoll_ctl(epollFD, EPOLL_CTL_ADD, $0, CEPOLL_IN | CEPOLL_EXCLUSIVE, Self.listenToken) }) ?? 0 == 0 else {
            let reason = String(cString: strerror(errno))
            if epollFD >= 0 { close(epollFD) }
            if wakeFD >= 0 { close(wakeFD) }
            readBuffer.deallocate()
            cepoll_events_free(events)
            throw .listenFailed(address: configuration.listenAddress.description, reason: "epoll: \(reason)")
        }
    }

    deinit {
        close(epollFD)
        close(wakeFD)
        readBuffer.deallocate()
        cepoll_events_free(events)
    }

    /// Interrupts `epoll_wait` (used by shutdown).
    func wake() {
        cepoll_eventfd_signal(wakeFD)
    }

    /// Runs until the server drains; returns when this loop's connections are closed.
    func run() {
        now = Self.monotonicNow()
        nextSweep = now + sweepInterval
        var drainStarted = false
        while true {
            let waitMilliseconds = Int32(clamping: (nextSweep > now ? nextSweep - now : 0) / 1_000_000 + 1)
            let count = cepoll_wait(epollFD, events, Self.eventCapacity, waitMilliseconds)
            now = Self.monotonicNow()
            for index in 0..<max(0, count) {
                let token = cepoll_event_data(events, index)
                let flags = cepoll_event_flags(events, index)
                switch token {
                case Self.listenToken: acceptConnections()
                case Self.wakeToken:
                    cepoll_eventfd_reset(wakeFD)
                    answerVerified()
                    adoptArrivals()
                default:
                    handleEvent(fd: Int32(truncatingIfNeeded: token), flags: flags)
                }
            }
            if context.draining.load(ordering: .acquiring) {
                if !drainStarted {
                    drainStarted = true
                    beginDrain()
                }
                if connectionCount == 0 || now >= context.drainDeadline.load(ordering: .relaxed) {
                    closeArrivals()
                    closeAll()
                    return
                }
            }
            if now >= nextSweep {
                sweep()
                nextSweep = now + sweepInterval
            }
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        guard let listenFD else { return }
        for _ in 0..<Self.acceptBatch {
            let fd = cepoll_accept(listenFD)
            if fd < 0 {
                let error = errno
                if error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM {
                    // Out of descriptors: the listening socket stays readable, so stop watching it until the
                    // next sweep rather than spin.
                    pauseAccepting()
                }
                return  // EAGAIN (another loop took it), or an aborted connection
            }
            guard context.acquireConnectionSlot() else {
                refuseOverCapacity(fd)
                continue
            }
            _ = cepoll_set_int_option(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            // The TLS context in force now: a reloaded certificate applies from the next connection on.
            var tls: (ssl: OpaquePointer, context: TLSContext)?
            if context.servesTLS, let tlsContext = context.configuration.webConfig?.current().tls {
                guard let ssl = cossl_new(tlsContext.context, fd) else {
                    close(fd)
                    context.releaseConnectionSlot()
                    continue
                }
                tls = (ssl, tlsContext)
            }
            guard cepoll_ctl(epollFD, EPOLL_CTL_ADD, fd, CEPOLL_IN, UInt64(fd)) == 0 else {
                if let tls { cossl_close(tls.ssl) }
                close(fd)
                context.releaseConnectionSlot()
                continue
            }
            let connection = Connection(fd: fd, serial: context.nextSerial(), deadline: now + readTimeout)
            if let tls {
                connection.tls = tls.ssl
                connection.tlsContext = tls.context
                connection.phase = .handshaking
            }
            hold(connection)
        }
    }

    /// Makes `connection` one of this loop's.
    private func hold(_ connection: Connection) {
        let index = Int(connection.fd)
        if index >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: max(index + 1 - connections.count, connections.count)))
        }
        connections[index] = connection
        liveCount.add(1, ordering: .relaxed)
    }

    /// Forgets `connection` (closed, or handed to another loop).
    private func release(_ connection: Connection) {
        connections[Int(connection.fd)] = nil
        liveCount.subtract(1, ordering: .relaxed)
    }

    /// Beyond `maxConnections`: answer 503 and close at once, without holding a slot. A TLS client cannot read
    /// a plain answer before its handshake: it is just closed.
    private func refuseOverCapacity(_ fd: Int32) {
        guard !context.servesTLS else {
            close(fd)
            return
        }
        _ = cepoll_recv(fd, readBuffer.baseAddress, readBuffer.count)  // the request, if it came with the handshake
        ServerResponses.overCapacityBytes.withUnsafeBytes { bytes in
            _ = cepoll_send2(fd, bytes.baseAddress, bytes.count, nil, 0)
        }
        close(fd)
    }

    private func pauseAccepting() {
        guard let listenFD, !acceptPaused else { return }
        acceptPaused = cepoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, 0, 0) == 0
    }

    private func resumeAccepting() {
        guard let listenFD, acceptPaused, !context.draining.load(ordering: .relaxed) else { return }
        acceptPaused = cepoll_ctl(epollFD, EPOLL_CTL_ADD, listenFD, CEPOLL_IN | CEPOLL_EXCLUSIVE, Self.listenToken) != 0
    }

    // MARK: - Connection events

    private func handleEvent(fd: Int32, flags: UInt32) {
        let index = Int(fd)
        // The descriptor may have been closed (and even reused by another loop) earlier in this batch.
        guard index < connections.count, let connection = connections[index] else { return }
        switch connection.phase {
        case .handshaking:
            continueHandshake(connection)
        case .writing:
            // Only the events asked for arrive: EPOLLOUT, or EPOLLIN when TLS must read before it can write.
            resumeWriting(connection)
        case .lingering:
            discardInput(connection)
        case .verifying:
            break  // out of the epoll set: only an event reported before it left can come here
        case .readingHead, .idle:
            readRequests(connection)
        }
        moveIfMisplaced(connection)
    }

    // MARK: - The refused-connection loop

    /// Once a response is out and the connection waits for its next request: a connection refused for its
    /// credentials goes to the refused-connection loop, and one whose credentials were then right (a scraper that
    /// got a 429 during a flood, or asked first without credentials) comes back to an accepting loop.
    private func moveIfMisplaced(_ connection: Connection) {
        guard !connection.isClosed, connection.phase == .idle || connection.phase == .readingHead,
              !context.draining.load(ordering: .relaxed) else { return }
        if connection.refusedCredentials, let refusedConnectionLoop {
            context.movedToRefusedLoop.add(1, ordering: .relaxed)
            move(connection, to: refusedConnectionLoop)
        } else if !connection.refusedCredentials, !acceptingLoops.isEmpty,
                  let home = acceptingLoops[Int(connection.fd) % acceptingLoops.count].loop {
            context.movedBack.add(1, ordering: .relaxed)
            move(connection, to: home)
        }
    }

    /// Hands `connection` to `loop`: it leaves this loop's epoll set before the other loop adds it to its own, so
    /// only one thread ever touches it.
    private func move(_ connection: Connection, to loop: EventLoop) {
        let removed = cepoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, 0, 0)
        assert(removed == 0, "a connection in two epoll sets would be served by two threads")
        release(connection)
        if !loop.adopt(connection) {
            // That loop has finished (shutting down): close here.
            hold(connection)
            closeConnection(connection)
        }
    }

    /// Takes a connection from another loop (any thread); false when this loop has finished.
    func adopt(_ connection: Connection) -> Bool {
        let taken = arrivals.withLock { arrivals -> Bool in
            guard !arrivals.closed else { return false }
            arrivals.connections.append(connection)
            return true
        }
        if taken { wake() }
        return taken
    }

    /// Watches the connections handed over since the last wake-up, and serves what they already sent.
    private func adoptArrivals() {
        let arrived = arrivals.withLock { arrivals -> [Connection] in
            defer { arrivals.connections.removeAll(keepingCapacity: true) }
            return arrivals.connections
        }
        for connection in arrived {
            hold(connection)
            guard cepoll_ctl(epollFD, EPOLL_CTL_ADD, connection.fd, connection.events, UInt64(connection.fd)) == 0,
                  !context.draining.load(ordering: .relaxed) else {
                closeConnection(connection)
                continue
            }
            // The start of a request that came with the last one (a complete one would have been served before the
            // move), and bytes TLS already decrypted, which epoll will not report.
            if !connection.unparsed.isEmpty { serveUnparsed(connection) }
            if !connection.isClosed && (connection.phase == .readingHead || connection.phase == .idle)
                && connection.tls.map({ cossl_pending($0) > 0 }) == true {
                readRequests(connection)
            }
        }
    }

    /// On finishing: no more arrivals; those not yet taken are closed.
    private func closeArrivals() {
        let left = arrivals.withLock { arrivals -> [Connection] in
            arrivals.closed = true
            defer { arrivals.connections = [] }
            return arrivals.connections
        }
        for connection in left {
            hold(connection)
            closeConnection(connection)
        }
    }

    // MARK: - Transport (plain or TLS)

    private enum Transfer {
        case moved(Int)
        /// Nothing moved now; wait for the socket (TLS may need to write to read, or read to write).
        case wait(wantWrite: Bool)
        case closed
        case failed
        case plainHTTPOnTLS
    }

    private func receive(_ connection: Connection) -> Transfer {
        guard let ssl = connection.tls else {
            let received = cepoll_recv(connection.fd, readBuffer.baseAddress, readBuffer.count)
            if received > 0 { return .moved(received) }
            if received == 0 { return .closed }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wait(wantWrite: false) : .failed
        }
        var count = 0
        return Self.transfer(cossl_read(ssl, readBuffer.baseAddress, readBuffer.count, &count), count)
    }

    /// Sends `head` then `body`; over TLS each is written as far as the socket takes it.
    private func transmit(_ connection: Connection, _ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) -> Transfer {
        guard let ssl = connection.tls else {
            let sent = cepoll_send2(connection.fd, head.baseAddress, head.count, body.baseAddress, body.count)
            if sent >= 0 { return .moved(sent) }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wait(wantWrite: true) : .failed
        }
        var total = 0
        for part in [head, body] {
            var offset = 0
            while offset < part.count {
                var count = 0
                let outcome = Self.transfer(cossl_write(ssl, part.baseAddress! + offset, part.count - offset, &count), count)
                guard case .moved(let moved) = outcome else { return total > 0 ? .moved(total) : outcome }
                offset += moved
                total += moved
            }
        }
        return .moved(total)
    }

    private static func transfer(_ outcome: Int32, _ count: Int) -> Transfer {
        switch Int(outcome) {
        case COSSL_DONE: .moved(count)
        case COSSL_WANT_READ: .wait(wantWrite: false)
        case COSSL_WANT_WRITE: .wait(wantWrite: true)
        case COSSL_CLOSED: .closed
        case COSSL_PLAIN_HTTP: .plainHTTPOnTLS
        default: .failed
        }
    }

    /// Sets which readiness the loop waits for on a connection (one `epoll_ctl` only when it changes).
    private func watch(_ connection: Connection, writable: Bool) {
        let events = writable ? CEPOLL_OUT : CEPOLL_IN
        guard connection.events != events else { return }
        connection.events = events
        _ = cepoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, events, UInt64(connection.fd))
    }

    private func continueHandshake(_ connection: Connection) {
        guard let ssl = connection.tls else { return }
        switch Self.transfer(cossl_handshake(ssl), 0) {
        case .moved:
            guard connection.tlsContext?.peerAllowed(ssl) ?? true else {
                closeConnection(connection)  // client_allowed_sans: the certificate names no allowed SAN
                return
            }
            connection.phase = .readingHead  // the read timeout still counts from the connection's opening
            watch(connection, writable: false)
            readRequests(connection)
        case .wait(let wantWrite):
            watch(connection, writable: wantWrite)
        case .plainHTTPOnTLS:
            // What Go's server answers, so a scraper configured with http:// sees why instead of a reset.
            connection.tls = nil
            cossl_close(ssl)
            ServerResponses.plainHTTPOnTLSBytes.withUnsafeBytes { bytes in
                _ = cepoll_send2(connection.fd, bytes.baseAddress, bytes.count, nil, 0)
            }
            startLingering(connection)
        case .closed, .failed:
            closeConnection(connection)
        }
    }

    private func readRequests(_ connection: Connection) {
        repeat {
            guard readAvailable(connection) else { return }
            // TLS may hold decrypted bytes that epoll cannot report: read them now.
        } while !connection.isClosed && (connection.phase == .readingHead || connection.phase == .idle)
            && connection.tls.map({ cossl_pending($0) > 0 }) == true
    }

    /// Reads once and serves what arrived; false when nothing more can be read now.
    private func readAvailable(_ connection: Connection) -> Bool {
        let received: Int
        switch receive(connection) {
        case .moved(let count):
            received = count
            watch(connection, writable: false)
        case .wait(let wantWrite):
            watch(connection, writable: wantWrite)
            return false
        case .closed, .failed, .plainHTTPOnTLS:
            // The client closed. Every complete request it sent was answered when it arrived; what is left
            // is an incomplete head nobody will finish.
            closeConnection(connection)
            return false
        }
        if connection.phase == .idle {
            connection.phase = .readingHead
            connection.deadline = now + readTimeout
        }
        let fresh = UnsafeRawBufferPointer(rebasing: readBuffer[0..<received])
        if connection.unparsed.isEmpty {
            let consumed = serve(connection, from: fresh)
            if !connection.isClosed && consumed < fresh.count {
                connection.unparsed.append(contentsOf: fresh[consumed...])
            }
        } else {
            connection.unparsed.append(contentsOf: fresh)
            serveUnparsed(connection)
        }
        return true
    }

    private func serveUnparsed(_ connection: Connection) {
        let consumed = connection.unparsed.withUnsafeBytes { serve(connection, from: $0) }
        if !connection.isClosed {
            connection.unparsed.removeFirst(consumed)
        }
    }

    /// Answers the complete requests at the start of `bytes`, in order, until the bytes run out, a response
    /// has to wait for the socket, or the connection is to be closed. Returns how many bytes were used.
    private func serve(_ connection: Connection, from bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        var answered = false
        while !connection.isClosed && (connection.phase == .readingHead || connection.phase == .idle) {
            switch HTTPRequestParser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]),
                                           maxHeaderBytes: context.configuration.maxHeaderBytes) {
            case .incomplete:
                if answered && !connection.isClosed && connection.phase == .readingHead {
                    // The next request's head is due within the read timeout from the end of this response,
                    // or, when nothing of it has come yet, within the idle timeout.
                    let partial = offset < bytes.count
                    connection.phase = partial ? .readingHead : .idle
                    connection.deadline = now + (partial ? readTimeout : idleTimeout)
                }
                return offset
            case .invalid(let status):
                send(ServerResponses.forInvalidRequest(status: status), on: connection, headOnly: false,
                     connection: .close, linger: true)
                return bytes.count
            case .complete(let request, let consumed):
                offset += consumed
                answered = true
                respond(to: request, on: connection)
            }
        }
        return offset
    }

    private func respond(to request: HTTPRequest, on connection: Connection) {
        let keepAlive = request.keepAlive && !context.draining.load(ordering: .relaxed)
        let connectionHeader: ResponseHead.ConnectionHeader =
            !keepAlive ? .close : (request.version == .http10 ? .keepAlive : .none)
        let isHead = request.method == "HEAD"
        var response: HTTPResponse
        if request.method != "GET" && !isHead {
            response = ServerResponses.methodNotAllowed
        } else {
            let (admission, headers) = context.admit(request, now: now)
            switch admission {
            case .serve: response = context.handler.handle(request)
            case .authorized:
                connection.refusedCredentials = false
                response = context.handler.handle(request)
            case .refuse(let refusal): response = refusal
            case .wrongCredentials(let refusal):
                connection.refusedCredentials = true
                response = refusal
            case .verify(let check):
                let parked = Connection.ParkedRequest(request: request, isHead: isHead, connectionHeader: connectionHeader,
                                                      headers: headers)
                guard let overload = park(connection, parked, until: check) else { return }
                response = overload
            }
            if !headers.isEmpty { response.headers += headers }
        }
        send(response, on: connection, headOnly: isHead, connection: connectionHeader, linger: false)
    }

    // MARK: - Credentials checked off the loop

    /// Hands the check to the verification workers and takes the connection out of the epoll set until the verdict
    /// comes back (bytes arriving meanwhile wait in the socket, or in `unparsed`). Returns the 429 to send instead
    /// when too many checks are pending.
    private func park(_ connection: Connection, _ parked: Connection.ParkedRequest, until check: CredentialCheck) -> HTTPResponse? {
        guard let verifier = context.verifier else { return context.rejectWrongCredentials() }
        let (fd, serial) = (connection.fd, connection.serial)
        let submission = verifier.submit(check, fromRefusedConnection: connection.refusedCredentials) { [self] accepted in
            verdicts.withLock { $0.append(Verdict(fd: fd, serial: serial, accepted: accepted)) }
            wake()
        }
        guard submission != .overloaded else {
            connection.refusedCredentials = true
            context.statistics.countAuthRejection(.overload)
            return ServerResponses.verificationOverload
        }
        _ = cepoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, 0, 0)
        connection.parked = parked
        connection.phase = .verifying
        // The check and the answer share the write timeout: the verdict normally comes long before.
        connection.deadline = now + writeTimeout
        return nil
    }

    /// Answers the parked requests whose verdicts came back, then goes on with what their clients sent after.
    private func answerVerified() {
        let arrived = verdicts.withLock { verdicts -> [Verdict] in
            defer { verdicts.removeAll(keepingCapacity: true) }
            return verdicts
        }
        for verdict in arrived {
            let index = Int(verdict.fd)
            // The connection may have been closed meanwhile (timeout, drain), its descriptor even reused.
            guard index < connections.count, let connection = connections[index], connection.serial == verdict.serial,
                  connection.phase == .verifying, let parked = connection.parked else { continue }
            connection.parked = nil
            connection.events = CEPOLL_IN
            guard cepoll_ctl(epollFD, EPOLL_CTL_ADD, connection.fd, CEPOLL_IN, UInt64(connection.fd)) == 0 else {
                closeConnection(connection)
                continue
            }
            connection.phase = .readingHead
            connection.refusedCredentials = !verdict.accepted
            var response = verdict.accepted ? context.handler.handle(parked.request) : context.rejectWrongCredentials()
            if !parked.headers.isEmpty { response.headers += parked.headers }
            send(response, on: connection, headOnly: parked.isHead, connection: parked.connectionHeader, linger: false)
            continueAfterResponse(connection)
            moveIfMisplaced(connection)
        }
    }

    /// After a response went out whole: wait for the next request, or serve the ones already received (in
    /// `unparsed`, or decrypted and held by TLS, which epoll cannot report).
    private func continueAfterResponse(_ connection: Connection) {
        guard !connection.isClosed && connection.phase == .readingHead else { return }
        if connection.unparsed.isEmpty {
            connection.phase = .idle
            connection.deadline = now + idleTimeout
        } else {
            connection.deadline = now + readTimeout
            serveUnparsed(connection)
        }
        if !connection.isClosed && (connection.phase == .readingHead || connection.phase == .idle)
            && connection.tls.map({ cossl_pending($0) > 0 }) == true {
            readRequests(connection)
        }
    }

    // MARK: - Writing

    /// Sends a response: head and body in one `sendmsg`, the body from the handler's array. What the socket
    /// does not take now is kept and sent on `EPOLLOUT`.
    private func send(_ response: HTTPResponse, on connection: Connection, headOnly: Bool,
                      connection connectionHeader: ResponseHead.ConnectionHeader, linger: Bool) {
        headBuffer.removeAll(keepingCapacity: true)
        ResponseHead.write(into: &headBuffer, status: response.status, headers: response.headers,
                           contentLength: response.body.count, connection: connectionHeader)
        var body = headOnly ? [] : response.body
        if connection.tls != nil && !body.isEmpty && body.count <= Self.tlsRecordCoalescing {
            // One TLS record (and packet) for head and body rather than two: copying a small body costs less.
            headBuffer.append(contentsOf: body)
            body = []
        }
        connection.closeAfterWrite = connectionHeader == .close
        connection.lingerAfterWrite = linger

        let outcome = headBuffer.withUnsafeBytes { head in
            body.withUnsafeBytes { body in transmit(connection, head, body) }
        }
        var written = 0
        var wantWrite = true
        switch outcome {
        case .moved(let count): written = count
        case .wait(let wantsWrite): wantWrite = wantsWrite
        case .closed, .failed, .plainHTTPOnTLS:
            closeConnection(connection)
            return
        }
        if written == headBuffer.count + body.count {
            responseSent(connection)
            return
        }
        // The socket is full: keep the rest and wait until it drains.
        connection.pendingHead = written < headBuffer.count ? Array(headBuffer[written...]) : []
        connection.pendingBody = body
        connection.pendingBodyOffset = max(0, written - headBuffer.count)
        connection.phase = .writing
        connection.deadline = now + writeTimeout
        watch(connection, writable: wantWrite)
    }

    private func resumeWriting(_ connection: Connection) {
        let outcome = connection.pendingHead.withUnsafeBytes { head in
            connection.pendingBody.withUnsafeBytes { body in
                transmit(connection, head, UnsafeRawBufferPointer(rebasing: body[connection.pendingBodyOffset...]))
            }
        }
        let sent: Int
        switch outcome {
        case .moved(let count): sent = count
        case .wait(let wantWrite):
            watch(connection, writable: wantWrite)
            return
        case .closed, .failed, .plainHTTPOnTLS:
            closeConnection(connection)
            return
        }
        let fromHead = min(sent, connection.pendingHead.count)
        connection.pendingHead.removeFirst(fromHead)
        connection.pendingBodyOffset += sent - fromHead
        guard !connection.hasPendingOutput else { return }
        connection.pendingHead = []
        connection.pendingBody = []
        connection.pendingBodyOffset = 0
        watch(connection, writable: false)
        connection.phase = .readingHead
        responseSent(connection)
        continueAfterResponse(connection)  // requests pipelined behind the slow response
    }

    /// The whole response is with the kernel: close, linger, or wait for the next request.
    private func responseSent(_ connection: Connection) {
        if connection.closeAfterWrite || context.draining.load(ordering: .relaxed) {
            if connection.lingerAfterWrite {
                startLingering(connection)
            } else {
                closeConnection(connection)
            }
        }
    }

    private func startLingering(_ connection: Connection) {
        if let ssl = connection.tls {
            connection.tls = nil
            cossl_close(ssl)  // close_notify before the TCP half-close
        }
        watch(connection, writable: false)
        shutdown(connection.fd, Int32(SHUT_WR))
        connection.phase = .lingering
        connection.deadline = now + lingerTimeout
    }

    private func discardInput(_ connection: Connection) {
        let received = cepoll_recv(connection.fd, readBuffer.baseAddress, readBuffer.count)
        if received == 0 || (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            closeConnection(connection)
        }
    }

    // MARK: - Closing

    private func closeConnection(_ connection: Connection) {
        guard !connection.isClosed else { return }
        connection.isClosed = true
        release(connection)  // before close: the descriptor number may be reused at once
        if let ssl = connection.tls {
            connection.tls = nil
            cossl_close(ssl)
        }
        connection.tlsContext = nil
        close(connection.fd)
        context.releaseConnectionSlot()
    }

    /// Closes every connection whose deadline has passed: silent or trickling clients, stalled readers,
    /// idle keep-alives.
    private func sweep() {
        for index in connections.indices {
            if let connection = connections[index], connection.deadline <= now { closeConnection(connection) }
        }
        resumeAccepting()
    }

    /// Shutdown: accept no more, close connections between requests, let responses being written (or waiting for
    /// their credentials' verdict) finish.
    private func beginDrain() {
        if let listenFD { _ = cepoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, 0, 0) }
        acceptPaused = true
        for index in connections.indices {
            if let connection = connections[index], connection.phase != .writing && connection.phase != .verifying {
                closeConnection(connection)
            }
        }
    }

    private func closeAll() {
        for index in connections.indices {
            if let connection = connections[index] { closeConnection(connection) }
        }
    }

    // MARK: - Time

    static func monotonicNow() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    private static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64(max(0, seconds) * 1_000_000_000)
    }

    static func deadline(after seconds: Double) -> UInt64 {
        monotonicNow() + nanoseconds(seconds)
    }
}
