#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import HTTPServer

/// A blocking HTTP/1.1 client over a raw loopback socket, so tests control every byte sent and see every
/// byte (and every close) the server sends back.
final class TestClient: @unchecked Sendable {  // used by one thread at a time
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1 (or `[::1]` with `ipv6`); reads and writes give up after `timeout` seconds.
    /// A small `receiveBuffer` makes a large response back up into the server, as a slow client does.
    init(port: Int, ipv6: Bool = false, timeout: Double = 5, receiveBuffer: Int32? = nil) throws {
        fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let address = ipv6 ? SocketAddress.ipv6("::1", port: port)! : SocketAddress.ipv4("127.0.0.1", port: port)!
        guard address.withSockaddr({ connect(fd, $0, $1) }) == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "connect: \(message)")
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Sends `GET path` (HTTP/1.1) and reads the response.
    func get(_ path: String, headers: String = "") throws -> Response {
        try send("GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n")
        return try readResponse()
    }

    /// Reads one response, its body framed by Content-Length (none after HEAD).
    func readResponse(head: Bool = false) throws -> Response {
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
    func waitForClose() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received > 0 { buffer.append(contentsOf: chunk[0..<received]); continue }
            if received == 0 { return true }
            if errno == EINTR { continue }
            return errno == ECONNRESET || errno == EPIPE
        }
    }

    /// What arrived and has not been read as a response.
    var unread: [UInt8] { buffer }

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
}

/// A handler for tests: `/missing` is 404, `/big` a body larger than the socket buffers of a client with a
/// small receive buffer, anything else echoes method and path.
struct EchoHandler: HTTPHandler {
    static let bigBody: [UInt8] = (0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch request.path {
        case "/missing":
            HTTPResponse(status: 404, contentType: "text/plain", body: "not found\n")
        case "/big":
            HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: Self.bigBody)
        default:
            HTTPResponse(status: 200, contentType: "text/plain", body: "\(request.method) \(request.path)\n")
        }
    }
}

/// A server on an ephemeral loopback port with test-sized timeouts; the test shuts it down.
func startServer(handler: any HTTPHandler = EchoHandler(),
                 _ adjust: (inout HTTPServerConfiguration) throws -> Void = { _ in }) throws -> HTTPServer {
    var configuration = HTTPServerConfiguration(listenAddress: ListenAddress(host: .ipv4("127.0.0.1"), port: 0),
                                                readTimeout: 2, idleTimeout: 2, writeTimeout: 2, loopCount: 2)
    try adjust(&configuration)
    // Built before serving: making 16 MiB in a debug build on a busy machine takes seconds, which would otherwise
    // be spent on an event loop inside the first /big request and eat the clients' timeouts.
    _ = EchoHandler.bigBody.count
    let server = HTTPServer(configuration: configuration, handler: handler)
    try server.start()
    return server
}

/// File descriptors of this process that are TCP sockets whose local port is `port` (the server's side of
/// its connections, and its listening socket), found through /proc: a leak check that other tests running
/// at the same time in this process cannot disturb.
func openSocketDescriptors(localPort port: Int) -> Int {
    let hexPort = String(format: ":%04X", port)
    var inodes = Set<String>()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = readProcFile(table) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            if fields.count > 9, fields[1].hasSuffix(hexPort) { inodes.insert(String(fields[9])) }
        }
    }
    let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return descriptors.filter { name in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)") else { return false }
        return target.hasPrefix("socket:[") && inodes.contains(String(target.dropFirst(8).dropLast()))
    }.count
}

/// The whole of a /proc file (they report size 0, so read until the end rather than by size).
func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var content: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        content.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: content, as: UTF8.self)
}

/// All open file descriptors of this process.
func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// Polls `condition` until it holds or `seconds` pass (for effects another thread brings about).
func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

enum TrickleOutcome: Equatable {
    case sentWhole
    case cutOff
}

/// Sends `text` one byte at a time, `every` seconds apart, and stops when the server closes the connection.
func trickle(_ text: String, to client: TestClient, every seconds: Double) -> TrickleOutcome {
    for byte in Array(text.utf8) {
        guard (try? client.send([byte])) != nil else { return .cutOff }
        usleep(UInt32(seconds * 1_000_000))
        if client.serverHasClosed() { return .cutOff }
    }
    return .sentWhole
}

extension TestClient {
    /// Whether an end of stream or a reset is waiting to be read (without waiting or consuming data).
    func serverHasClosed() -> Bool {
        var byte: UInt8 = 0
        let peeked = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}
