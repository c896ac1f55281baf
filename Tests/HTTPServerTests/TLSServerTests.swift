#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport
@testable import HTTPServer

/// TLS on the event loops, in process: keep-alive, a response larger than the socket buffers, timeouts.
@Suite("HTTPServer over TLS", .serialized)
struct TLSServerTests {
    private func startTLSServer(_ certificates: TestCertificates,
                                _ adjust: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        try certificates.write("web.yml", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")
        let webConfig = try WebConfigFile(path: certificates.path("web.yml"))
        return try startServer {
            $0.webConfig = webConfig
            adjust(&$0)
        }
    }

    @Test func keepAliveOverTLSServesSeveralRequestsOnOneConnection() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try startTLSServer(certificates)
        defer { server.shutdown() }
        let url = "https://127.0.0.1:\(server.port)"
        let result = try Tool.run("/usr/bin/curl", ["-sS", "--cacert", certificates.path("server.crt"),
                                                    "-w", "%{http_code} %{num_connects}\n", "\(url)/one", "\(url)/two", "\(url)/three"])
        #expect(result.stdout == "GET /one\n200 1\nGET /two\n200 0\nGET /three\n200 0\n", "stderr: \(result.stderr)")
    }

    @Test func aConnectionRefusedForItsCredentialsKeepsItsTLSSessionOnTheRefusedConnectionLoop() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.write("web.yml", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                               + "basic_auth_users:\n  alice: \(TestHashes.alice2y)\n")
        let webConfig = try WebConfigFile(path: certificates.path("web.yml"))
        let server = try startServer {
            $0.webConfig = webConfig
            $0.loopCount = 1
        }
        defer { server.shutdown() }
        let url = "https://127.0.0.1:\(server.port)"
        let options = ["-sS", "--cacert", certificates.path("server.crt"), "-w", "%{http_code} %{num_connects}\n", "-o", "/dev/null"]
        // One connection: refused and moved to the refused-connection loop, served there with the right password
        // and moved back, refused and moved again: on the same TLS session throughout.
        let result = try Tool.run("/usr/bin/curl", options + ["-u", "alice:wrong", "\(url)/one", "--next"]
                                  + options + ["-u", "alice:secret", "\(url)/two", "--next"] + options + ["\(url)/three"])
        #expect(result.stdout == "401 1\n200 0\n401 0\n", "stderr: \(result.stderr)")
        #expect(eventually(within: 60) { server.connectionMoves == (toRefusedLoop: 2, back: 1) })
    }

    @Test func aResponseLargerThanTheSocketBuffersArrivesWholeOverTLS() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try startTLSServer(certificates) { $0.writeTimeout = 20 }
        defer { server.shutdown() }
        let file = certificates.path("big")
        // A slow reader: the server's writes stop on a full socket and resume on EPOLLOUT, record by record.
        let result = try Tool.run("/usr/bin/curl", ["-sS", "--cacert", certificates.path("server.crt"), "--limit-rate", "16M",
                                                    "-o", file, "https://127.0.0.1:\(server.port)/big"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: file))) == EchoHandler.bigBody)
    }

    @Test func aClientThatNeverCompletesTheHandshakeIsCutOffAfterTheReadTimeout() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        // Every other limit is far away: only the 0.5 s read timeout can close them before the clients give up.
        let server = try startTLSServer(certificates) { $0.readTimeout = 0.5; $0.idleTimeout = 120; $0.writeTimeout = 120 }
        defer { server.shutdown() }
        let silent = try TestClient(port: server.port, timeout: 60)
        #expect(silent.waitForClose())
        let partial = try TestClient(port: server.port, timeout: 60)
        try partial.send([0x16, 0x03, 0x01, 0x02, 0x00])  // the start of a ClientHello, and no more
        #expect(partial.waitForClose())
    }

    @Test func anInlineCertificateAndKeyUnderBlockScalarsServeTLS() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        func indented(_ name: String) throws -> String {
            try String(contentsOfFile: certificates.path(name), encoding: .utf8)
                .split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        }
        try certificates.write("web.yml", "tls_server_config:\n  cert: |\n\(try indented("server.crt"))\n  key: |\n\(try indented("server.key"))\n")
        let webConfig = try WebConfigFile(path: certificates.path("web.yml"))
        let server = try startServer { $0.webConfig = webConfig }
        defer { server.shutdown() }
        let result = try Tool.run("/usr/bin/curl", ["-sS", "--cacert", certificates.path("server.crt"),
                                                    "https://127.0.0.1:\(server.port)/inline"])
        #expect(result.stdout == "GET /inline\n", "stderr: \(result.stderr)")
    }

    @Test func rateLimitAnswers429WhenTheBucketIsEmptyAndRefillsOverTime() {
        let limiter = RateLimiter(WebConfig.RateLimit(interval: 1, burst: 2))
        let start = EventLoop.monotonicNow()
        #expect(limiter.allow(now: start))
        #expect(limiter.allow(now: start))
        #expect(!limiter.allow(now: start + 500_000_000))
        #expect(limiter.allow(now: start + 1_000_000_000))
        #expect(!limiter.allow(now: start + 1_100_000_000))
    }

    @Test func plainHTTPOnTheTLSPortIsToldSoAndNotServed() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try startTLSServer(certificates)
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        let response = try client.get("/secret")
        #expect(response.status == 400)
        #expect(response.text == "Client sent an HTTP request to an HTTPS server.\n")
        #expect(response.header("Connection") == "close")
        #expect(client.waitForClose())
    }
}
