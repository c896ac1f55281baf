import Foundation
import Testing
import TestSupport

/// `--web.config.file` against the real binary: TLS from a generated certificate, bcrypt users, client
/// certificates, reloads, and a bad file at start.
@Suite("Web config: TLS and bcrypt basic auth", .serialized)
struct WebConfigAppTests {
    /// alice / secret (cost 4 keeps the test fast; a real file would use 10 or more).
    static let aliceHash = "$2y$04$ST7njknJseSnO15b/ZLHU.uSd6bvaG7ELf5v.ek81WsBKnf9WrEk2"
    /// bob / hunter2
    static let bobHash = "$2b$04$d98gVJC7flJ.jnX1Yxoil..Mi/vf6oZ05yqnMs9eB4IrFawRkziSy"

    private func start(_ certificates: TestCertificates, fake: FakeUpstream) throws -> (RunningExporter, Int) {
        let server = try RunningExporter(["--web.listen-address=127.0.0.1:0", "--state.file=", "--web.config.file=\(certificates.path("web.yml"))"]
                                         + AppFakes.upstreamFlags(fake), environment: ["CMC_API_KEY": AppFakes.apiKey])
        return (server, try server.waitForPort())
    }

    @Test("TLS with bcrypt users: right password 200, wrong 401, none 401; probes open; plain HTTP on the TLS port not served")
    func tlsAndBasicAuth() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.write("web.yml", """
            # exporter-toolkit format
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
            http_server_config:
              headers:
                X-Content-Type-Options: nosniff
            basic_auth_users:
              alice: \(Self.aliceHash)
            """)
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let (server, port) = try start(certificates, fake: fake)

        let right = try Tool.https(port, "/metrics", certificates: certificates, user: "alice:secret")
        #expect(right.status == 200)
        #expect(right.headers.contains("X-Content-Type-Options: nosniff"))
        #expect(try Tool.https(port, "/metrics", certificates: certificates, user: "alice:wrong").status == 401)
        #expect(try Tool.https(port, "/metrics", certificates: certificates, user: "mallory:secret").status == 401)
        let none = try Tool.https(port, "/metrics", certificates: certificates)
        #expect(none.status == 401)
        #expect(none.headers.contains("WWW-Authenticate: Basic realm="))
        #expect(try Tool.https(port, "/", certificates: certificates).status == 401)
        #expect(try Tool.https(port, "/-/healthy", certificates: certificates).status == 200)
        #expect(try Tool.https(port, "/-/ready", certificates: certificates).status != 401)

        // Plain HTTP to the TLS port: told so in plain text, never served the metrics.
        let plain = try TestClient.fetch(port: port, path: "/metrics", headers: ["Authorization: Basic YWxpY2U6c2VjcmV0"])
        #expect(plain.status == 400)
        #expect(plain.body.contains("Client sent an HTTP request to an HTTPS server"))
        #expect(!plain.body.contains("akash_"))
        // A TLS client that does not trust the certificate gets no answer either.
        let untrusted = try Tool.run("/usr/bin/curl", ["-sS", "--max-time", "5", "https://127.0.0.1:\(port)/-/healthy"])
        #expect(untrusted.status != 0)
        #expect(try server.terminate() == 0, "exporter stderr: \(server.stderr)")
    }

    @Test("client certificates: required and verified against client_ca_file when configured")
    func clientCertificates() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.write("web.yml", """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_ca_file: ca.crt
              client_auth_type: RequireAndVerifyClientCert
              client_allowed_sans: ["prometheus.example"]
            """)
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let (server, port) = try start(certificates, fake: fake)
        let without = try Tool.https(port, "/metrics", certificates: certificates)
        #expect(without.status == 0 && without.exit != 0, "no client certificate: the handshake fails")
        let with = try Tool.https(port, "/metrics", certificates: certificates, clientCertificate: true)
        #expect(with.status == 200, "curl exit \(with.exit), exporter stderr: \(server.stderr)")
        // A certificate the CA did not sign (the server's own, self-signed) is refused.
        let foreign = try Tool.https(port, "/metrics", certificates: certificates,
                                     extra: ["--cert", certificates.path("server.crt"), "--key", certificates.path("server.key")])
        #expect(foreign.status == 0)
        #expect(try server.terminate() == 0, "exporter stderr: \(server.stderr)")
    }

    @Test("a changed file is picked up without a restart; a bad edit keeps the last good one and is logged")
    func reload() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let file = { (users: String) in "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n\(users)" }
        try certificates.write("web.yml", file("  alice: \(Self.aliceHash)\n"))
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let (server, port) = try start(certificates, fake: fake)
        #expect(try Tool.https(port, "/metrics", certificates: certificates, user: "alice:secret").status == 200)
        #expect(try Tool.https(port, "/metrics", certificates: certificates, user: "bob:hunter2").status == 401)

        try certificates.write("web.yml", file("  bob: \(Self.bobHash)\n"))
        var bob = 0
        for _ in 0..<30 where bob != 200 {
            try await Task.sleep(for: .milliseconds(200))
            bob = try Tool.https(port, "/metrics", certificates: certificates, user: "bob:hunter2").status
        }
        #expect(bob == 200, "bob added to the file is accepted without a restart")
        #expect(try Tool.https(port, "/metrics", certificates: certificates, user: "alice:secret").status == 401)
        #expect(server.stderr.contains("msg=\"web config reloaded\""))

        try certificates.write("web.yml", file("  bob: not-a-hash\n"))
        for _ in 0..<30 where !server.stderr.contains("web config not reloaded") {
            try await Task.sleep(for: .milliseconds(200))
            _ = try Tool.https(port, "/-/healthy", certificates: certificates)
        }
        #expect(server.stderr.contains("msg=\"web config not reloaded, keeping the last good one\""))
        #expect(server.stderr.contains("basic_auth_users.bob: not a bcrypt hash"))
        #expect(!server.stderr.contains("not-a-hash"), "the value itself is not logged")
        #expect(try Tool.https(port, "/metrics", certificates: certificates, user: "bob:hunter2").status == 200)
        #expect(try server.terminate() == 0, "exporter stderr: \(server.stderr)")
    }

    @Test("a bad file at start: exit 2, one line naming the file and the key", arguments: [
        ("basic_auth_users:\n  alice: secret\n", "basic_auth_users.alice: not a bcrypt hash"),
        ("tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n", "tls_server_config.cert_file: cannot read"),
        ("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth: RequireAndVerifyClientCert\n",
         "tls_server_config.client_auth: unknown key"),
        ("tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n", "tls_server_config.cert_file: not a PEM certificate"),
        ("tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n", "tls_server_config.key_file: not a PEM private key matching"),
    ])
    func badFileAtStart(text: String, expected: String) throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.write("web.yml", text)
        let result = try ExporterBinary.run(["--web.config.file=\(certificates.path("web.yml"))", "--state.file="])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--web.config.file \(certificates.path("web.yml")): \(expected)"), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        let missing = try ExporterBinary.run(["--web.config.file=/nonexistent/web.yml", "--state.file="])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/web.yml: cannot read the file"))
    }

    @Test("--web.basic-auth-file still works, with a deprecation line in the log")
    func deprecatedBasicAuthFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("auth").path
        try "alice:plain\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let server = try RunningExporter(["--web.listen-address=127.0.0.1:0", "--state.file=", "--web.basic-auth-file=\(file)"]
                                         + AppFakes.upstreamFlags(fake), environment: ["CMC_API_KEY": AppFakes.apiKey])
        let port = try server.waitForPort()
        #expect(try TestClient.fetch(port: port, path: "/metrics").status == 401)
        #expect(try TestClient.fetch(port: port, path: "/metrics", headers: ["Authorization: Basic YWxpY2U6cGxhaW4="]).status == 200)
        #expect(server.stderr.contains("level=warn msg=\"--web.basic-auth-file is deprecated"))
        #expect(try server.terminate() == 0, "exporter stderr: \(server.stderr)")
    }
}

@Suite("gzip scrapes against the binary", .serialized)
struct GzipAppTests {
    @Test("gzip only when asked: the decompressed body is the plain one; Vary always, Content-Encoding only with gzip")
    func gzip() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let server = try RunningExporter(["--web.listen-address=127.0.0.1:0", "--state.file="] + AppFakes.upstreamFlags(fake),
                                         environment: ["CMC_API_KEY": AppFakes.apiKey])
        let port = try server.waitForPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gzip-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func fetch(_ name: String, gzip: Bool) throws -> (headers: String, body: Data) {
            let file = directory.appendingPathComponent(name).path
            let result = try Tool.run("/usr/bin/curl", ["-sS", "-D", "-", "-o", file]
                                      + (gzip ? ["-H", "Accept-Encoding: gzip"] : []) + ["http://127.0.0.1:\(port)/metrics"])
            return (result.stdout, try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        // Until every source has polled once, each poll re-renders the body: wait for ready. After that it changes
        // every few seconds only, so a gzip scrape is compared with plain ones around it that match each other.
        let readyBy = Date().addingTimeInterval(120)
        while try TestClient.fetch(port: port, path: "/-/ready").status != 200 && Date() < readyBy {
            Thread.sleep(forTimeInterval: 0.05)
        }
        var compared = false
        for _ in 0..<50 where !compared {
            let before = try fetch("before", gzip: false)
            let zipped = try fetch("metrics.gz", gzip: true)
            let after = try fetch("after", gzip: false)
            guard before.body == after.body else { continue }
            compared = true
            #expect(zipped.headers.contains("Content-Encoding: gzip"))
            #expect(zipped.headers.contains("Vary: Accept-Encoding"))
            #expect(!before.headers.contains("Content-Encoding"))
            #expect(before.headers.contains("Vary: Accept-Encoding"))
            #expect(zipped.body.count * 3 < before.body.count, "gzip \(zipped.body.count) bytes vs plain \(before.body.count)")
            let unzipped = try Tool.run("/bin/gzip", ["-dc", directory.appendingPathComponent("metrics.gz").path])
            #expect(unzipped.status == 0)
            #expect(Data(unzipped.stdout.utf8) == before.body)
        }
        #expect(compared)
        #expect(try server.terminate() == 0, "exporter stderr: \(server.stderr)")
    }
}
