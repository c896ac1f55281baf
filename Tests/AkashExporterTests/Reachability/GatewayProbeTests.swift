import ExporterKit
import Exposition
import Foundation
import HTTPServer
import Synchronization
import Testing
import TestSupport
@testable import AkashExporter

/// The probe against gateways on loopback: a TLS server with a self-signed certificate made at test time (openssl),
/// the provider's `host_uri` served by the fake chain, the real libcurl client. Every socket is on 127.0.0.1.
@Suite("Gateway probe on loopback")
struct GatewayProbeTests {
    static let provider = Recorded.provider
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// A gateway: answers every request with `reply` and records what it was sent.
    final class Gateway: HTTPHandler, Sendable {
        let reply: @Sendable (HTTPRequest) -> HTTPResponse
        private let seen = Mutex<[HTTPRequest]>([])

        init(_ reply: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
            self.reply = reply
        }

        var requests: [HTTPRequest] { seen.withLock { $0 } }

        func handle(_ request: HTTPRequest) -> HTTPResponse {
            seen.withLock { $0.append(request) }
            return reply(request)
        }

        static func status(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> Gateway {
            Gateway { _ in HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body) }
        }
    }

    /// Counts the requests leaving through the client, by host: the probe's one way out.
    final class CountingUpstream: UpstreamFetching {
        let inner = CurlUpstream()
        private let urls = Mutex<[URL]>([])

        var requested: [URL] { urls.withLock { $0 } }

        func fetch(_ request: UpstreamRequest) async throws(SourceFailure) -> UpstreamResponse {
            urls.withLock { $0.append(request.url) }
            return try await inner.fetch(request)
        }
    }

    /// A TLS gateway on an ephemeral loopback port, its certificate self-signed for this run.
    struct TLSGateway {
        let certificates: TestCertificates
        let server: HTTPServer

        init(_ handler: Gateway) throws {
            certificates = try TestCertificates()
            try certificates.write("web.yml", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")
            let webConfig = try WebConfigFile(path: certificates.path("web.yml"))
            var configuration = HTTPServerConfiguration(listenAddress: ListenAddress(host: .ipv4("127.0.0.1"), port: 0),
                                                        readTimeout: 10, idleTimeout: 10, writeTimeout: 10, loopCount: 1)
            configuration.webConfig = webConfig
            server = HTTPServer(configuration: configuration, handler: handler)
            try server.start()
        }

        var hostURI: String { "https://127.0.0.1:\(server.port)" }

        func stop() {
            server.shutdown(drainTimeout: 1)
            certificates.remove()
        }
    }

    /// One probe round of `Self.provider` whose `host_uri` is `hostURI`, on the chain fake.
    static func probe(hostURI: String, allowPrivate: Bool = true, timeout: Double = 5,
                      resolve: @escaping GatewayGuard.Resolve = { _ in [] }) async throws
        -> (failure: SourceFailure?, families: [MetricFamily], upstream: CountingUpstream, logs: LogCapture) {
        let chain = try FakeUpstream()
        defer { chain.stop() }
        let record = #"{"provider":{"owner":"\#(provider)","host_uri":"\#(hostURI)","attributes":[],"info":{"email":"","website":""}}}"#
        chain.route(GatewayProbe.providerPath + provider, .json(Data(record.utf8)))
        let logs = LogCapture()
        var probe = GatewayProbe(config: ReachabilityConfig(probeTimeout: timeout, allowPrivate: allowPrivate),
                                 chain: ChainREST(baseURL: chain.baseURL, timeout: 5), providers: { _ in [provider] },
                                 leases: PaidLeases(), logger: logs.logger())
        probe.resolve = resolve
        let upstream = CountingUpstream()
        let failure = await AreaTesting.poll(probe, via: upstream, at: now)
        return (failure, GatewayProbeCollector(probe: probe).collect(now: now), upstream, logs)
    }

    static func value(_ families: [MetricFamily], _ name: String) -> Double? {
        Samples.value(families, name, ["provider": provider])
    }

    @Test("up: 200 with the status object; leases read, no credentials sent, the certificate not verified")
    func up() async throws {
        let gateway = Gateway.status(200, Array(try Fixtures.data("reachability/provider-gateway-status.json")))
        let tls = try TLSGateway(gateway)
        defer { tls.stop() }
        let result = try await Self.probe(hostURI: tls.hostURI)
        #expect(result.failure == nil)
        #expect(Self.value(result.families, "akash_provider_probe_success") == 1)
        #expect(Self.value(result.families, "akash_provider_status_leases") == 3)
        #expect(Self.value(result.families, "akash_provider_probe_last_success_timestamp_seconds") == Self.now.timeIntervalSince1970)
        #expect((Self.value(result.families, "akash_provider_probe_duration_seconds") ?? -1) > 0)
        #expect(Self.value(result.families, "akash_provider_probe_refused") == nil)
        let request = try #require(gateway.requests.first)
        #expect(gateway.requests.count == 1)
        #expect(request.method == "GET" && request.path == "/status")
        for header in ["authorization", "cookie", "proxy-authorization"] {
            #expect(request.header(header) == nil, "sent \(header)")
        }
    }

    @Test("down: a closed port is a failed probe, and the source stays up")
    func closedPort() async throws {
        let closed = try FakeUpstream()
        let port = closed.port
        closed.stop()
        let result = try await Self.probe(hostURI: "https://127.0.0.1:\(port)")
        #expect(result.failure == nil)
        #expect(Self.value(result.families, "akash_provider_probe_success") == 0)
        #expect(Self.value(result.families, "akash_provider_probe_last_success_timestamp_seconds") == nil)
        #expect(Self.value(result.families, "akash_provider_status_leases") == nil)
    }

    @Test("slow: a gateway that never answers fails at the probe timeout")
    func slow() async throws {
        let silent = try FakeUpstream()
        defer { silent.stop() }
        silent.route("/status", .hang)
        let result = try await Self.probe(hostURI: "https://127.0.0.1:\(silent.port)", timeout: 1)
        #expect(Self.value(result.families, "akash_provider_probe_success") == 0)
        #expect((Self.value(result.families, "akash_provider_probe_duration_seconds") ?? 0) >= 1)
    }

    @Test("a 200 without a cluster object is not a provider answering")
    func wrongBody() async throws {
        for body in [#"{"ok":true}"#, #"{"cluster":3}"#, #"[{"cluster":{}}]"#, "<html>status</html>"] {
            let tls = try TLSGateway(Gateway.status(200, Array(body.utf8)))
            defer { tls.stop() }
            let result = try await Self.probe(hostURI: tls.hostURI)
            #expect(Self.value(result.families, "akash_provider_probe_success") == 0, "\(body)")
        }
    }

    @Test("a redirect is not followed: one request, and a failed probe")
    func redirect() async throws {
        let gateway = Gateway { request in
            request.path == "/status"
                ? HTTPResponse(status: 302, headers: [("Location", "/elsewhere")])
                : HTTPResponse(status: 200, contentType: "application/json", body: #"{"cluster":{"leases":1}}"#)
        }
        let tls = try TLSGateway(gateway)
        defer { tls.stop() }
        let result = try await Self.probe(hostURI: tls.hostURI)
        #expect(Self.value(result.families, "akash_provider_probe_success") == 0)
        #expect(gateway.requests.map(\.path) == ["/status"])
    }

    @Test("a 2 MiB body is refused past the 1 MiB cap")
    func oversized() async throws {
        let body = Array(#"{"cluster":{"leases":1},"pad":""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20) + Array(#""}"#.utf8)
        let tls = try TLSGateway(Gateway.status(200, body))
        defer { tls.stop() }
        let result = try await Self.probe(hostURI: tls.hostURI)
        #expect(Self.value(result.families, "akash_provider_probe_success") == 0)
    }

    @Test("without --akash.probe-allow-private the loopback gateway is refused and never contacted")
    func loopbackRefused() async throws {
        let gateway = Gateway.status(200, Array(#"{"cluster":{"leases":1}}"#.utf8))
        let tls = try TLSGateway(gateway)
        defer { tls.stop() }
        let result = try await Self.probe(hostURI: tls.hostURI, allowPrivate: false)
        #expect(result.failure == nil)
        #expect(Self.value(result.families, "akash_provider_probe_refused") == 1)
        #expect(Self.value(result.families, "akash_provider_probe_success") == nil)
        #expect(gateway.requests.isEmpty)
        #expect(result.upstream.requested.map(\.path) == [GatewayProbe.providerPath + Self.provider], "only the chain was asked")
        #expect(result.logs.lines.contains { $0.contains("provider gateway not probed") && $0.contains("loopback") })
    }

    @Test("a name resolving to an internal address is refused and never contacted", arguments: ["10.0.0.1", "127.0.0.1", "169.254.169.254", "::1"])
    func nameResolvingInside(_ address: String) async throws {
        let gateway = Gateway.status(200, Array(#"{"cluster":{"leases":1}}"#.utf8))
        let tls = try TLSGateway(gateway)
        defer { tls.stop() }
        let result = try await Self.probe(hostURI: "https://gateway.provider.example:\(tls.server.port)", allowPrivate: false,
                                          resolve: { _ in [IPAddress(address)!] })
        #expect(Self.value(result.families, "akash_provider_probe_refused") == 1)
        #expect(gateway.requests.isEmpty)
        #expect(result.upstream.requested.count == 1, "only the chain was asked")
    }

    @Test("a name is connected to at the address it was checked at: no second resolution")
    func pinnedName() async throws {
        let gateway = Gateway.status(200, Array(#"{"cluster":{"leases":2}}"#.utf8))
        let tls = try TLSGateway(gateway)
        defer { tls.stop() }
        // `gateway.provider.example` exists nowhere: only the pinned address can reach the server.
        let result = try await Self.probe(hostURI: "https://gateway.provider.example:\(tls.server.port)", allowPrivate: true,
                                          resolve: { _ in [IPAddress("127.0.0.1")!] })
        #expect(Self.value(result.families, "akash_provider_probe_success") == 1)
        #expect(gateway.requests.first?.header("host") == "gateway.provider.example:\(tls.server.port)")
    }
}
