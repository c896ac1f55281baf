#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
@testable import HTTPServer

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
