#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import Synchronization

/// What the loops of one server share: the handler, the settings, the connection budget and the shutdown.
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

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
        self.unauthorized = ServerResponses.unauthorized(realm: configuration.authRealm)
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
/// so a new connection wakes one loop, not all), and the connections it accepted. Nothing here blocks:
/// sockets are non-blocking, partial writes resume on `EPOLLOUT`, and a sweep closes connections whose
/// deadline passed, so no client can hold a loop.
final class EventLoop: @unchecked Sendable {  // its state is touched only on its own thread
    private let context: ServerContext
    private let listenFD: Int32
    private let epollFD: Int32
    private let wakeFD: Int32
    /// Connections by file descriptor (descriptors are small integers, so an array is the fastest map).
    private var connections: [Connection?] = []
    private var liveConnections = 0
    private var acceptPaused = false
    private var now: UInt64 = 0
    private var nextSweep: UInt64 = 0

    /// Reused for every read and every response head, so serving a request allocates nothing of its own.
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var headBuffer: [UInt8] = []
    private static let eventCapacity: Int32 = 256
    private let events = cepoll_events_allocate(EventLoop.eventCapacity)!

    private static let listenToken = UInt64.max
    private static let wakeToken = UInt64.max - 1
    /// Connections accepted per wake-up: small, so that loops share a burst of new connections.
    private static let acceptBatch = 4

    private let readTimeout: UInt64
    private let idleTimeout: UInt64
    private let writeTimeout: UInt64
    private let lingerTimeout: UInt64
    private let sweepInterval: UInt64

    init(context: ServerContext, listenFD: Int32) throws(HTTPServerError) {
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
              cepoll_ctl(epollFD, EPOLL_CTL_ADD, listenFD, CEPOLL_IN | CEPOLL_EXCLUSIVE, Self.listenToken) == 0 else {
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
                case Self.wakeToken: cepoll_eventfd_reset(wakeFD)
                default: handleEvent(fd: Int32(truncatingIfNeeded: token), flags: flags)
                }
            }
            if context.draining.load(ordering: .acquiring) {
                if !drainStarted {
                    drainStarted = true
                    beginDrain()
                }
                if liveConnections == 0 || now >= context.drainDeadline.load(ordering: .relaxed) {
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
            guard cepoll_ctl(epollFD, EPOLL_CTL_ADD, fd, CEPOLL_IN, UInt64(fd)) == 0 else {
                close(fd)
                context.releaseConnectionSlot()
                continue
            }
            let index = Int(fd)
            if index >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: max(index + 1 - connections.count, connections.count)))
            }
            connections[index] = Connection(fd: fd, deadline: now + readTimeout)
            liveConnections += 1
        }
    }

    /// Beyond `maxConnections`: answer 503 and close at once, without holding a slot.
    private func refuseOverCapacity(_ fd: Int32) {
        _ = cepoll_recv(fd, readBuffer.baseAddress, readBuffer.count)  // the request, if it came with the handshake
        ServerResponses.overCapacityBytes.withUnsafeBytes { bytes in
            _ = cepoll_send2(fd, bytes.baseAddress, bytes.count, nil, 0)
        }
        close(fd)
    }

    private func pauseAccepting() {
        guard !acceptPaused else { return }
        acceptPaused = cepoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, 0, 0) == 0
    }

    private func resumeAccepting() {
        guard acceptPaused, !context.draining.load(ordering: .relaxed) else { return }
        acceptPaused = cepoll_ctl(epollFD, EPOLL_CTL_ADD, listenFD, CEPOLL_IN | CEPOLL_EXCLUSIVE, Self.listenToken) != 0
    }

    // MARK: - Connection events

    private func handleEvent(fd: Int32, flags: UInt32) {
        let index = Int(fd)
        // The descriptor may have been closed (and even reused by another loop) earlier in this batch.
        guard index < connections.count, let connection = connections[index] else { return }
        switch connection.phase {
        case .writing:
            if flags & (CEPOLL_OUT | CEPOLL_ERR | CEPOLL_HUP) != 0 { resumeWriting(connection) }
        case .lingering:
            discardInput(connection)
        case .readingHead, .idle:
            readRequests(connection)
        }
    }

    private func readRequests(_ connection: Connection) {
        let received = cepoll_recv(connection.fd, readBuffer.baseAddress, readBuffer.count)
        if received < 0 {
            if errno != EAGAIN && errno != EWOULDBLOCK { closeConnection(connection) }
            return
        }
        if received == 0 {
            // The client closed. Every complete request it sent was answered when it arrived; what is left
            // is an incomplete head nobody will finish.
            closeConnection(connection)
            return
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
        while !connection.isClosed && connection.phase != .writing && connection.phase != .lingering {
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
        let response: HTTPResponse
        if request.method != "GET" && !isHead {
            response = ServerResponses.methodNotAllowed
        } else if let credentials = context.configuration.basicAuth,
                  !context.configuration.unauthenticatedPaths.contains(request.path),
                  !credentials.accepts(authorization: request.header("Authorization")) {
            response = context.unauthorized
        } else {
            response = context.handler.handle(request)
        }
        send(response, on: connection, headOnly: isHead, connection: connectionHeader, linger: false)
    }

    // MARK: - Writing

    /// Sends a response: head and body in one `sendmsg`, the body from the handler's array. What the socket
    /// does not take now is kept and sent on `EPOLLOUT`.
    private func send(_ response: HTTPResponse, on connection: Connection, headOnly: Bool,
                      connection connectionHeader: ResponseHead.ConnectionHeader, linger: Bool) {
        headBuffer.removeAll(keepingCapacity: true)
        ResponseHead.write(into: &headBuffer, status: response.status, headers: response.headers,
                           contentLength: response.body.count, connection: connectionHeader)
        let body = headOnly ? [] : response.body
        connection.closeAfterWrite = connectionHeader == .close
        connection.lingerAfterWrite = linger

        let sent = headBuffer.withUnsafeBytes { head in
            body.withUnsafeBytes { body in
                cepoll_send2(connection.fd, head.baseAddress, head.count, body.baseAddress, body.count)
            }
        }
        if sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
            closeConnection(connection)
            return
        }
        let written = max(0, sent)
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
        _ = cepoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, CEPOLL_OUT, UInt64(connection.fd))
    }

    private func resumeWriting(_ connection: Connection) {
        let sent = connection.pendingHead.withUnsafeBytes { head in
            connection.pendingBody.withUnsafeBytes { body in
                let rest = UnsafeRawBufferPointer(rebasing: body[connection.pendingBodyOffset...])
                return cepoll_send2(connection.fd, head.baseAddress, head.count, rest.baseAddress, rest.count)
            }
        }
        if sent < 0 {
            if errno != EAGAIN && errno != EWOULDBLOCK { closeConnection(connection) }
            return
        }
        let fromHead = min(sent, connection.pendingHead.count)
        connection.pendingHead.removeFirst(fromHead)
        connection.pendingBodyOffset += sent - fromHead
        guard !connection.hasPendingOutput else { return }
        connection.pendingHead = []
        connection.pendingBody = []
        connection.pendingBodyOffset = 0
        _ = cepoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, CEPOLL_IN, UInt64(connection.fd))
        connection.phase = .readingHead
        responseSent(connection)
        if !connection.isClosed && connection.phase == .readingHead {
            if connection.unparsed.isEmpty {
                connection.phase = .idle
                connection.deadline = now + idleTimeout
            } else {
                connection.deadline = now + readTimeout
                serveUnparsed(connection)  // requests pipelined behind the slow response
            }
        }
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
        connections[Int(connection.fd)] = nil  // before close: the descriptor number may be reused at once
        close(connection.fd)
        liveConnections -= 1
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

    /// Shutdown: accept no more, close connections between requests, let responses being written finish.
    private func beginDrain() {
        _ = cepoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, 0, 0)
        acceptPaused = true
        for index in connections.indices {
            if let connection = connections[index], connection.phase != .writing { closeConnection(connection) }
        }
    }

    private func closeAll() {
        for index in connections.indices {
            if let connection = connections[index] { closeConnection(connection) }
        }
    }

    // MARK: - Time

    private static func monotonicNow() -> UInt64 {
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
