import Foundation
@testable import AkashExporter
import ExporterKit
import TestSupport

/// One fake server for every upstream API, each under the prefix a user would put in its URL flag, serving every
/// registered source's recorded bodies (`SourceRegistry.all`): no app test can reach the real internet.
enum AppFakes {
    static let owner = AccountArea.recordedOwner
    static let apiKey = "CMC-SECRET-KEY-1f2e3d4c5b6a"

    static func allUpstreams() throws -> FakeUpstream {
        let fake = try FakeUpstream()
        routeEverything(on: fake)
        return fake
    }

    /// Routes every registered endpoint to its recorded body (again: how a test heals a broken upstream). Where
    /// several bodies share a path (a list's pages, one list for owners and one for providers), a request gets the
    /// one whose query parameters it carries, the most specific first. The requests of `broken` get `fault`.
    static func routeEverything(on fake: FakeUpstream, breaking broken: SourceDeclaration? = nil, with fault: FakeReply? = nil) {
        let endpoints = SourceRegistry.all.flatMap { source in source.endpoints.map { (source: source, endpoint: $0) } }
        for (path, candidates) in Dictionary(grouping: endpoints, by: { $0.source.api.fakePrefix + $0.endpoint.path }) {
            let bySpecificity = candidates.sorted { $0.endpoint.parameters.count > $1.endpoint.parameters.count }
            fake.route(path) { request in
                let parameters = Set((request.query ?? "").split(separator: "&").map { $0.removingPercentEncoding ?? String($0) })
                let match = bySpecificity.first { $0.endpoint.parameters.allSatisfy(parameters.contains) } ?? bySpecificity.last!
                if let fault, match.source.name == broken?.name { return fault }
                return .fixture(match.endpoint.recordedBody)
            }
        }
    }

    /// Flags pointing every registered API at `fake`, plus the flags the recorded bodies assume (the owner).
    static func upstreamFlags(_ fake: FakeUpstream) -> [String] {
        SourceRegistry.all.apis.map { $0.urlFlag(fake) } + SourceRegistry.all.flatMap(\.recorded.flags).uniqued()
    }

    /// Drops the series whose values depend on the run (durations, times, process figures), node_exporter style.
    static func deterministic(_ exposition: String) -> String {
        let unstable = ["akash_exporter_source_duration_seconds", "akash_exporter_source_last_success_timestamp_seconds",
                        "akash_exporter_cmc_credits_projected_monthly", "process_"]
        return exposition.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !unstable.contains { line.hasPrefix($0) || line.hasPrefix("# HELP \($0)") || line.hasPrefix("# TYPE \($0)") }
        }.joined(separator: "\n")
    }
}

/// The built executable, for tests of what a user sees: exit codes, stderr, signals.
enum ExporterBinary {
    static let url: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/akash-cost-exporter")
    }()

    typealias Result = Tool.Result

    /// Runs to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try Tool.run(url.path, arguments, environment: environment)
    }
}

/// Minimal blocking HTTP/1.0 GET over a socket, so tests see raw status lines and headers.
enum RawHTTP {
    /// A connected blocking socket to 127.0.0.1:`port` (5 s receive timeout); the caller closes it.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    static func get(port: Int, path: String, method: String = "GET", headers: [String] = []) throws -> (status: Int, head: String, body: String) {
        let fd = try connect(port: port)
        defer { close(fd) }
        send(fd, "\(method) \(path) HTTP/1.0\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, head, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
