import ExporterKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One request the fake upstream received, as it came over the wire.
public struct RecordedRequest: Sendable, Equatable {
    public let method: String
    /// The path of the target, before any `?`, still percent-encoded.
    public let path: String
    /// The raw query (after `?`), or nil when the target had none.
    public let query: String?
    /// Header names lower-cased (HTTP header names are case-insensitive); a repeated header keeps the last value.
    public let headers: [String: String]
    /// The request target exactly as sent (`/v1/x?id=1`): what a test checks to prove a secret is not in a URL.
    public let rawTarget: String

    public init(method: String, path: String, query: String?, headers: [String: String], rawTarget: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.rawTarget = rawTarget
    }

    /// A header value by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What the fake upstream answers on a route: ordinary responses and the faults an exporter must survive.
public enum FakeReply: Sendable {
    /// A complete response.
    case status(Int, body: Data = Data(), headers: [String: String] = [:])
    /// Accepts, reads the request, never answers (until the client gives up or the server stops).
    case hang
    /// Announces the full `Content-Length`, sends half of the body, closes.
    case truncated(Data)
    /// Closes the connection without answering.
    case closeImmediately
    /// A 200 body of exactly `bytes` bytes of valid-looking JSON padding, streamed in chunks (never built whole).
    case large(bytes: Int)
    /// Waits, then answers with the inner reply.
    indirect case delayed(seconds: Double, FakeReply)
    /// A 200 whose body is already gzip-compressed, sent as is with `Content-Encoding: gzip` (asked for or not).
    case gzipped(Data, headers: [String: String] = [:])
    /// A validator-aware answer: the inner reply carries `ETag` / `Last-Modified` (when given), and a request whose
    /// `If-None-Match` or `If-Modified-Since` matches them gets `304 Not Modified` with no body.
    indirect case conditional(etag: String?, lastModified: String? = nil, FakeReply)

    /// A JSON body (`Content-Type: application/json` unless given).
    public static func json(_ data: Data, status: Int = 200, headers: [String: String] = [:]) -> FakeReply {
        var headers = headers
        if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
            headers["Content-Type"] = "application/json"
        }
        return .status(status, body: data, headers: headers)
    }

    /// A recorded body from `Tests/Fixtures/<relativePath>`, served as JSON. A missing fixture is a mistake in the
    /// test itself, so it stops the run with the path rather than serving something the test did not mean.
    public static func fixture(_ relativePath: String, status: Int = 200) -> FakeReply {
        guard let data = try? Fixtures.data(relativePath) else {
            fatalError("FakeReply.fixture: no file Tests/Fixtures/\(relativePath)")
        }
        return json(data, status: status)
    }
}

/// One entry of a `FakeUpstream` route table: a path, the query parameters a request must carry to get this
/// reply (`name=value`, unencoded), the names of parameters it must not carry at all (a network-wide list is the
/// request with no address filter), and who the route belongs to (a source's name, for a test's messages).
/// `scripts/fake_upstream.py` matches its routes by the same rule.
public struct FakeRoute: Sendable {
    public let path: String
    public let parameters: [String]
    public let forbidden: [String]
    public let owner: String
    public let reply: FakeUpstream.Responder

    public init(_ path: String, requiring parameters: [String] = [], forbidding forbidden: [String] = [],
                owner: String = "", _ reply: FakeReply) {
        self.init(path, requiring: parameters, forbidding: forbidden, owner: owner) { _ in reply }
    }

    public init(_ path: String, requiring parameters: [String] = [], forbidding forbidden: [String] = [],
                owner: String = "", _ reply: @escaping FakeUpstream.Responder) {
        precondition(!forbidden.contains { $0.contains("=") }, "FakeRoute: a forbidden parameter is a name, not \(forbidden)")
        self.path = path
        self.parameters = parameters
        self.forbidden = forbidden
        self.owner = owner
        self.reply = reply
    }

    /// How much of a request the route pins down: each required parameter and each forbidden name counts one.
    public var specificity: Int { parameters.count + forbidden.count }

    /// Whether a request whose query is `query` (raw, percent-encoded) gets this route: it carries every required
    /// `name=value` and no parameter of a forbidden name, whatever its value.
    public func matches(query: String?) -> Bool {
        let entries = (query ?? "").split(separator: "&")
        let carried = Set(entries.map { $0.removingPercentEncoding ?? String($0) })
        let names = Set(entries.map { entry in
            let name = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return name.removingPercentEncoding ?? String(name)
        })
        return parameters.allSatisfy(carried.contains) && !forbidden.contains(where: names.contains)
    }
}

/// An HTTP/1.1 server on 127.0.0.1 (ephemeral port) that plays an upstream API in tests: it answers each path
/// with a `FakeReply` and records every request it sees. Blocking sockets, one thread per connection, one
/// request per connection (`Connection: close`): simple enough to trust in tests that check the real client.
///
///     let upstream = try FakeUpstream()
///     defer { upstream.stop() }
///     upstream.route("/v1/gpu-prices", .fixture("akash/gpu-prices.json"))
///     // ... point the code under test at upstream.baseURL ...
///     #expect(upstream.requestCount(path: "/v1/gpu-prices") == 1)
///
/// Dropping the last reference stops the server too.
public final class FakeUpstream: Sendable {
    public typealias Responder = @Sendable (RecordedRequest) -> FakeReply

    // The threads hold the server, not this facade, so that deinit runs and stops them.
    private let server: FakeUpstreamServer

    public init() throws {
        server = try FakeUpstreamServer()
    }

    deinit {
        server.stop()
    }

    public var port: UInt16 { server.port }

    /// `http://127.0.0.1:PORT`
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(server.port)")! }

    /// Answers `path` (exact, query ignored) with `reply`. Routing a path again replaces its reply, which is how a
    /// test makes a failing upstream heal. Unrouted paths get 404.
    public func route(_ path: String, _ reply: FakeReply) {
        server.route(path) { _ in reply }
    }

    /// Answers `path` with whatever `replies` returns for each request (e.g. fail the first three, then succeed).
    public func route(_ path: String, _ replies: @escaping Responder) {
        server.route(path, replies)
    }

    /// Serves a route table: each request gets the reply of the first route for its path that it matches (carries
    /// every required parameter, none of the forbidden names), the most specific first (a list's second page, one
    /// address's list, the list of no address), so several sources can share one path; among routes as specific,
    /// the earlier in the table. A request no route matches gets 404. Replaces earlier routes of those paths.
    public func routeTable(_ routes: [FakeRoute]) {
        for (path, candidates) in Dictionary(grouping: routes, by: \.path) {
            // Stable: ties keep the table's order.
            let bySpecificity = candidates.enumerated()
                .sorted { ($0.element.specificity, $1.offset) > ($1.element.specificity, $0.offset) }.map(\.element)
            server.route(path) { request in
                guard let match = bySpecificity.first(where: { $0.matches(query: request.query) }) else {
                    return .status(404, body: Data("no route for \(request.path)?\(request.query ?? "")\n".utf8))
                }
                return match.reply(request)
            }
        }
    }

    /// When on, a `.status`/`.json`/`.fixture` body is gzip-compressed (with `Content-Encoding: gzip`) for every
    /// request whose `Accept-Encoding` names gzip, as real APIs behind a CDN do. Off by default.
    public func compressWhenAsked(_ on: Bool = true) {
        server.compressWhenAsked(on)
    }

    /// Response body bytes written to the wire for `path` so far (compressed size when compressed; 304s count 0).
    public func bodyBytesSent(path: String) -> Int {
        server.bodyBytesSent(path: path)
    }

    /// Every request seen so far, in arrival order.
    public var requests: [RecordedRequest] { server.requests }

    public func requestCount(path: String) -> Int {
        server.requests.count(where: { $0.path == path })
    }

    /// Stops accepting, cuts every open connection (hanging ones included) and waits briefly for the threads to
    /// close their sockets, so a test that counts file descriptors sees them gone. Safe to call twice.
    public func stop() {
        server.stop()
    }
}

private final class FakeUpstreamServer: Sendable {
    typealias Responder = FakeUpstream.Responder

    private struct State {
        var routes: [String: Responder] = [:]
        var requests: [RecordedRequest] = []
        var compressWhenAsked = false
        var bodyBytesSent: [String: Int] = [:]
        var connections: Set<Int32> = []
        var threads = 0
        var stopped = false
    }

    let port: UInt16
    private let listener: Int32
    private let state = Mutex(State())

    /// Largest request head accepted; the clients under test send small GETs.
    private static let maxHeadBytes = 64 << 10
    private static let chunkBytes = 64 << 10

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FakeUpstreamError.socket("socket", errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw FakeUpstreamError.socket("bind/listen", code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        state.withLock { $0.threads += 1 }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func route(_ path: String, _ replies: @escaping Responder) {
        state.withLock { $0.routes[path] = replies }
    }

    var requests: [RecordedRequest] {
        state.withLock { $0.requests }
    }

    func compressWhenAsked(_ on: Bool) {
        state.withLock { $0.compressWhenAsked = on }
    }

    func bodyBytesSent(path: String) -> Int {
        state.withLock { $0.bodyBytesSent[path] ?? 0 }
    }

    private func countSent(_ bytes: Int, path: String) {
        state.withLock { $0.bodyBytesSent[path, default: 0] += bytes }
    }

    func stop() {
        let connections: Set<Int32>? = state.withLock {
            guard !$0.stopped else { return nil }
            $0.stopped = true
            return $0.connections
        }
        guard let connections else { return }
        // shutdown, not close: each thread closes its own descriptor, so no number is closed twice or reused
        // under a thread still holding it.
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        let deadline = Date().addingTimeInterval(2)
        while state.withLock({ $0.threads }) > 0, Date() < deadline {
            usleep(2_000)
        }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    // MARK: - Connections

    private func acceptLoop() {
        defer {
            close(listener)
            state.withLock { $0.threads -= 1 }
        }
        while !isStopped {
            // Poll with a timeout so the loop notices `stop()` even where shutdown does not wake accept.
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready < 0 && errno != EINTR { return }
            guard ready > 0 else { continue }
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == EAGAIN || errno == ECONNABORTED { continue }
                return
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections.insert(client)
                state.threads += 1
                return true
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard admitted else {
                close(client)
                return
            }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            state.withLock {
                $0.connections.remove(fd)
                $0.threads -= 1
            }
            close(fd)
        }
        guard let request = readRequest(fd) else { return }
        let responder = state.withLock { state -> Responder? in
            state.requests.append(request)
            return state.routes[request.path]
        }
        let reply = responder?(request)
            ?? .status(404, body: Data("no route for \(request.path)\n".utf8), headers: ["Content-Type": "text/plain"])
        send(reply, on: fd, for: request)
    }

    private func send(_ reply: FakeReply, on fd: Int32, for request: RecordedRequest) {
        switch reply {
        case .status(let status, var body, var headers):
            let asksForGzip = request.header("accept-encoding")?.lowercased().contains("gzip") == true
            if !body.isEmpty, asksForGzip, state.withLock({ $0.compressWhenAsked }) {
                body = Gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            }
            if writeAll(fd, head(status: status, contentLength: body.count, headers: headers)), writeAll(fd, body) {
                countSent(body.count, path: request.path)
            }
        case .gzipped(let body, var headers):
            headers["Content-Encoding"] = "gzip"
            if headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
            if writeAll(fd, head(status: 200, contentLength: body.count, headers: headers)), writeAll(fd, body) {
                countSent(body.count, path: request.path)
            }
        case .conditional(let etag, let lastModified, let inner):
            let unchanged = (etag != nil && request.header("if-none-match") == etag)
                || (etag == nil && lastModified != nil && request.header("if-modified-since") == lastModified)
            var validators: [String: String] = [:]
            if let etag { validators["ETag"] = etag }
            if let lastModified { validators["Last-Modified"] = lastModified }
            if unchanged {
                _ = writeAll(fd, head(status: 304, contentLength: nil, headers: validators))
            } else {
                send(inner.adding(headers: validators), on: fd, for: request)
            }
        case .hang:
            waitForClose(fd)
        case .truncated(let body):
            _ = writeAll(fd, head(status: 200, contentLength: body.count, headers: ["Content-Type": "application/json"]))
                && writeAll(fd, body.prefix(body.count / 2))
        case .closeImmediately:
            // Reset rather than FIN, as a crashed upstream would.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .large(let bytes):
            streamPadding(bytes, on: fd)
        case .delayed(let seconds, let inner):
            let until = Date().addingTimeInterval(seconds)
            while Date() < until, !isStopped { usleep(5_000) }
            if !isStopped { send(inner, on: fd, for: request) }
        }
    }

    /// `{"padding":"xxxx…"}` of exactly `bytes` bytes (at least the 14 bytes of the frame), written chunk by chunk.
    private func streamPadding(_ bytes: Int, on fd: Int32) {
        let open = Data("{\"padding\":\"".utf8), close = Data("\"}".utf8)
        let total = max(bytes, open.count + close.count)
        guard writeAll(fd, head(status: 200, contentLength: total, headers: ["Content-Type": "application/json"])),
              writeAll(fd, open) else { return }
        let chunk = Data(repeating: UInt8(ascii: "x"), count: Self.chunkBytes)
        var remaining = total - open.count - close.count
        while remaining > 0 {
            let piece = min(remaining, chunk.count)
            guard writeAll(fd, chunk.prefix(piece)) else { return }
            remaining -= piece
        }
        _ = writeAll(fd, close)
    }

    /// A response head; `contentLength` nil for a 304, which carries no body and no length.
    private func head(status: Int, contentLength: Int?, headers: [String: String]) -> Data {
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) where name.lowercased() != "content-length" {
            text += "\(name): \(value)\r\n"
        }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Data(text.utf8)
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    // MARK: - Bytes

    /// Reads the request head (and discards a body announced by `Content-Length`). Nil when the client went away
    /// or sent something that is not HTTP.
    private func readRequest(_ fd: Int32) -> RecordedRequest? {
        var buffer = [UInt8]()
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        var scratch = [UInt8](repeating: 0, count: 4096)
        var headEnd: Int?
        while headEnd == nil {
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            let searchFrom = max(0, buffer.count - 3)
            buffer.append(contentsOf: scratch[0..<count])
            headEnd = Self.find(terminator, in: buffer, from: searchFrom)
            if headEnd == nil && buffer.count > Self.maxHeadBytes { return nil }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var bodyLeft = (headers["content-length"].flatMap { Int($0) } ?? 0) - (buffer.count - headEnd! - 4)
        while bodyLeft > 0 {
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, bodyLeft), 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bodyLeft -= count
        }
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return RecordedRequest(method: String(requestLine[0]), path: String(parts[0]),
                               query: parts.count > 1 ? String(parts[1]) : nil, headers: headers, rawTarget: target)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Blocks until the client closes (or `stop()` shuts the socket down).
    private func waitForClose(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
        }
    }

    /// Writes everything, false when the client went away. `MSG_NOSIGNAL`: a closed peer must not raise SIGPIPE
    /// in the test process.
    private func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}

extension FakeReply {
    /// The same reply with extra response headers (validators of `.conditional`); faults are left as they are.
    func adding(headers extra: [String: String]) -> FakeReply {
        switch self {
        case .status(let status, let body, let headers): .status(status, body: body, headers: headers.merging(extra) { $1 })
        case .gzipped(let body, let headers): .gzipped(body, headers: headers.merging(extra) { $1 })
        case .delayed(let seconds, let inner): .delayed(seconds: seconds, inner.adding(headers: extra))
        default: self
        }
    }
}

extension Gzip {
    /// Fake upstream bodies, at the best compression as a CDN would: the exporter's own `Gzip` (one zlib wrapper).
    public static func compress(_ data: Data) -> Data {
        guard let compressed = compress(Array(data), level: 9) else { preconditionFailure("Gzip.compress: zlib failed") }
        return Data(compressed)
    }
}

public enum FakeUpstreamError: Error, CustomStringConvertible {
    case socket(String, Int32)

    public var description: String {
        switch self {
        case .socket(let call, let code): "FakeUpstream: \(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
