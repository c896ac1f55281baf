import Foundation
import TestSupport

/// One fake server for all three upstreams, under the prefixes a user would put in the URL flags.
enum AppFakes {
    static let owner = "akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c"
    static let apiKey = "CMC-SECRET-KEY-1f2e3d4c5b6a"

    static func allUpstreams() throws -> FakeUpstream {
        let fake = try FakeUpstream()
        routeEverything(on: fake)
        return fake
    }

    /// Routes every upstream path to its recorded body (again: how a test heals a broken upstream).
    static func routeEverything(on fake: FakeUpstream) {
        let cmc = ["/v1/cryptocurrency/map": "cmc/map.json", "/v3/cryptocurrency/quotes/latest": "cmc/quotes-v3.json",
                   "/v3/fear-and-greed/latest": "cmc/fear-and-greed.json",
                   "/v1/altcoin-season-index/latest": "cmc/altcoin-season.json",
                   "/v3/cryptocurrency/listings/latest": "cmc/listings-v3.json", "/v1/key/info": "cmc/key-info.json"]
        for (path, fixture) in cmc { fake.route("/cmc" + path, .fixture(fixture)) }
        fake.route("/console/v1/gpu-prices", .fixture("akash/gpu-prices.json"))
        fake.route("/console/v1/network-capacity", .fixture("akash/network-capacity.json"))
        fake.route("/console/v1/providers", .fixture("akash/providers.json"))
        fake.route("/chain/akash/market/v1beta5/leases/list") { request in
            request.query?.contains("pagination.key=") == true
                ? .fixture("e2e/chain-leases-page2.json") : .fixture("e2e/chain-leases.json")
        }
        fake.route("/chain/akash/deployment/v1beta4/deployments/list", .fixture("e2e/chain-deployments.json"))
        fake.route("/chain/cosmos/base/tendermint/v1beta1/blocks/latest", .fixture("e2e/chain-block-latest.json"))
    }

    /// Flags pointing every upstream at `fake`.
    static func upstreamFlags(_ fake: FakeUpstream) -> [String] {
        let base = fake.baseURL.absoluteString
        return ["--cmc.base-url=\(base)/cmc", "--akash.console-url=\(base)/console", "--akash.rest-url=\(base)/chain",
                "--akash.owner=\(owner)"]
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
