import CEpoll

/// One client connection. Owned by one event loop at a time and touched only on its thread; a connection refused
/// for its credentials is handed, between requests, to the server's refused-connection loop (through that loop's
/// locked inbox, after leaving the first loop's epoll set), hence `@unchecked Sendable`.
final class Connection: @unchecked Sendable {
    enum Phase {
        /// A TLS handshake in progress; `deadline` is the read timeout (the handshake is part of the first request).
        case handshaking
        /// Waiting for (the rest of) a request head; `deadline` is the read timeout.
        case readingHead
        /// Kept alive between requests; `deadline` is the idle timeout.
        case idle
        /// A response the socket has not taken whole; `deadline` is the write timeout.
        case writing
        /// The last response is sent and our side shut: reading and discarding what the client still sends,
        /// so closing does not reset the connection before the client has read the answer.
        case lingering
        /// A request whose credentials a verification worker is checking with bcrypt; the connection is out of the
        /// epoll set until the verdict. `deadline` is the write timeout.
        case verifying
    }

    /// A request waiting for its credentials' verdict, with what its answer needs.
    struct ParkedRequest {
        let request: HTTPRequest
        let isHead: Bool
        let connectionHeader: ResponseHead.ConnectionHeader
        /// The web config's extra headers, as they were when the request came.
        let headers: [(name: String, value: String)]
    }

    let fd: Int32
    /// Tells this connection from a later one on the same descriptor (a verdict may come back after a close),
    /// across all the loops of a server.
    let serial: UInt64
    var phase: Phase = .readingHead
    /// Monotonic nanoseconds after which the loop's sweep closes the connection.
    var deadline: UInt64
    var isClosed = false
    /// The readiness the loop waits for (`EPOLLIN` or `EPOLLOUT`).
    var events: UInt32 = CEPOLL_IN
    /// The connection's TLS state (`SSL *`) when the server serves TLS; freed on close.
    var tls: OpaquePointer?
    /// The context the handshake used (kept alive for `client_allowed_sans`, even across a reload).
    var tlsContext: TLSContext?

    /// Received bytes not yet answered: an incomplete head, or pipelined requests waiting for a slow write.
    /// Empty for most connections: complete requests are parsed straight from the loop's read buffer.
    var unparsed: [UInt8] = []

    /// What is left of the response being written. The body is the handler's array (shared, not copied).
    var pendingHead: [UInt8] = []
    var pendingBody: [UInt8] = []
    var pendingBodyOffset = 0
    /// Close once the response being written is sent (`Connection: close`, an error, shutting down).
    var closeAfterWrite = false
    /// Linger before closing: the client may still be sending (an error interrupted its request).
    var lingerAfterWrite = false

    /// Whether a request on this connection was refused for its credentials (401, or 429 for want of bcrypt
    /// workers): it moves to the refused-connection loop after that answer, and its new credentials yield to other
    /// connections' (see `CredentialVerifier`).
    var refusedCredentials = false
    /// Set while `phase` is `.verifying`.
    var parked: ParkedRequest?

    init(fd: Int32, serial: UInt64, deadline: UInt64) {
        self.fd = fd
        self.serial = serial
        self.deadline = deadline
    }

    var hasPendingOutput: Bool { !pendingHead.isEmpty || pendingBodyOffset < pendingBody.count }
}
