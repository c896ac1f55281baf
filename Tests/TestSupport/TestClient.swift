#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A blocking HTTP/1.1 client over a raw loopback socket, so tests control every byte sent and see every
/// byte (and every close) the server sends back.
public final class TestClient: @unchecked Sendable {  // used by one thread at a time
    public struct Response {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1 (or `[::1]` with `ipv6`); reads and writes give up after `timeout` seconds.
    /// A small `receiveBuffer` makes a large response back up into the server, as a slow client does.
    public init(port: Int, ipv6: Bool = false, timeout: Double = 5, receiveBuffer: Int32? = nil) throws {
        fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        guard Self.connect(fd, ipv6: ipv6, port: port) == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "connect: \(message)")
        }
    }

    deinit { Glibc.close(fd) }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Ends the connection now (both directions), rather than whenever the client is released.
    public func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Sends `GET path` (HTTP/1.1) and reads the response.
    public func get(_ path: String, headers: String = "") throws -> Response {
        try send("GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n")
        return try readResponse()
    }

    /// Reads one response, its body framed by Content-Length (none after HEAD).
    public func readResponse(head: Bool = false) throws -> Response {
        let headEnd = try readUntil { buffer in
            guard buffer.count >= 4 else { return nil }
            return (0...(buffer.count - 4)).first {
                buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10
            }.map { $0 + 4 }
        }
        let headText = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(headText)")
        }
        let headers = lines.map { line -> (name: String, value: String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        buffer.removeFirst(headEnd)
        var response = Response(status: status, headers: headers, body: [])
        let length = head ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        _ = try readUntil { $0.count >= length ? length : nil }
        response.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return response
    }

    /// Reads until the server closes the connection (or resets it); false when it is still open after the
    /// read timeout.
    public func waitForClose() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received > 0 { buffer.append(contentsOf: chunk[0..<received]); continue }
            if received == 0 { return true }
            if errno == EINTR { continue }
            return errno == ECONNRESET || errno == EPIPE
        }
    }

    /// Waits (up to the read timeout) until the first bytes of an answer have arrived, without reading them: the
    /// event "the server has started to write", for tests that act while a response is under way.
    public func waitForFirstBytes() -> Bool {
        var byte: UInt8 = 0
        while true {
            let peeked = recv(fd, &byte, 1, Int32(MSG_PEEK))
            if peeked > 0 { return true }
            if peeked < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// What arrived and has not been read as a response.
    public var unread: [UInt8] { buffer }

    private func readUntil(_ done: ([UInt8]) -> Int?) throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let result = done(buffer) { return result }
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                buffer.append(contentsOf: chunk[0..<received])
            } else if received < 0 && errno == EINTR {
                continue
            } else {
                let reason = received == 0 ? "connection closed" : String(cString: strerror(errno))
                throw Failure(description: "\(reason) after \(buffer.count) bytes: \(String(decoding: buffer.prefix(200), as: UTF8.self))")
            }
        }
    }

    /// One request on a fresh connection, HTTP/1.0 (the server closes after answering): the status, the head as
    /// text (status line and headers) and the body as text, for tests of what a user of the server sees.
    public static func fetch(port: Int, path: String, method: String = "GET",
                             headers: [String] = []) throws -> (status: Int, head: String, body: String) {
        let client = try TestClient(port: port)
        try client.send("\(method) \(path) HTTP/1.0\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
        let response = try client.readResponse(head: method == "HEAD")
        let head = (["HTTP/1.x \(response.status)"] + response.headers.map { "\($0.name): \($0.value)" }).joined(separator: "\r\n")
        return (response.status, head, response.text)
    }

    private static func connect(_ fd: Int32, ipv6: Bool, port: Int) -> Int32 {
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            address.sin6_addr = in6addr_loopback
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
