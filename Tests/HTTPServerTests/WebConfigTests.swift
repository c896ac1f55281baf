import Durations
import Foundation
import Testing
@testable import HTTPServer

/// Hashes made with libxcrypt's crypt_gensalt (cost 4 keeps the tests fast); htpasswd and Go write the same form.
enum TestHashes {
    /// alice / secret
    static let alice2y = "$2y$04$ST7njknJseSnO15b/ZLHU.uSd6bvaG7ELf5v.ek81WsBKnf9WrEk2"
    /// secret, as $2b$ and $2a$
    static let secret2b = "$2b$04$p6cp6VUzXbwhewASTFis3e63Q2xBbKO13.v//j9Ga24GlLiPyMw4y"
    static let secret2a = "$2a$04$6MUqb4jx9X9pbZxeQDQ39O49YaLIfKnWBxNucZPJ/.3pAtwodADBG"
}

@Suite struct WebConfigTests {
    private func parse(_ text: String) throws -> WebConfig { try WebConfig.parse(text, directory: "/etc/exporter") }

    private func rejection(_ text: String) -> WebConfigError? {
        do {
            _ = try WebConfig.parse(text, directory: "/etc/exporter")
            return nil
        } catch {
            return error
        }
    }

    @Test("every key of exporter-toolkit's format is read; relative files are taken from the config's directory")
    func fullFile() throws {
        let config = try parse("""
            tls_server_config:
              cert_file: server.crt
              key_file: /secrets/server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              client_allowed_sans: [prometheus.example, 10.0.0.1]
              min_version: TLS13
              max_version: TLS13
              cipher_suites:
                - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
              prefer_server_cipher_suites: false
              curve_preferences: [X25519, CurveP256]
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: deny
                X-Content-Type-Options: nosniff
                Strict-Transport-Security: max-age=31536000
                Content-Security-Policy:
            basic_auth_users:
              alice: \(TestHashes.alice2y)
              bob: '\(TestHashes.secret2a)'
            rate_limit:
              interval: 100ms
              burst: 5
            """)
        let tls = try #require(config.tls)
        #expect(tls.certificate == .file("/etc/exporter/server.crt"))
        #expect(tls.key == .file("/secrets/server.key"))
        #expect(tls.clientCA == .file("/etc/exporter/ca.crt"))
        #expect(tls.clientAuth == .requireAndVerifyClientCert)
        #expect(tls.clientAllowedSANs == ["prometheus.example", "10.0.0.1"])
        #expect(tls.minVersion == .tls13 && tls.maxVersion == .tls13)
        #expect(tls.cipherSuites == ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])
        #expect(tls.curvePreferences == ["X25519", "CurveP256"])
        #expect(!tls.preferServerCipherSuites)
        #expect(!config.http2)
        #expect(config.headers.map(\.name) == ["X-Frame-Options", "X-Content-Type-Options", "Strict-Transport-Security"])
        #expect(config.users.map(\.name) == ["alice", "bob"])
        #expect(config.rateLimit == WebConfig.RateLimit(interval: 0.1, burst: 5))
    }

    @Test("users only: no TLS, defaults as exporter-toolkit's")
    func usersOnly() throws {
        let config = try parse("basic_auth_users:\n  alice: \(TestHashes.alice2y)\n")
        #expect(config.tls == nil)
        #expect(config.http2)
        #expect(config.rateLimit == nil)
        #expect(try parse("").users.isEmpty)
    }

    @Test("a bad file is refused naming the key", arguments: [
        ("basic_auth_user:\n  alice: x", "basic_auth_user", "unknown key"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  certfile: c", "tls_server_config.certfile", "unknown key"),
        ("basic_auth_users:\n  alice: secret", "basic_auth_users.alice", "not a bcrypt hash"),
        ("basic_auth_users:\n  alice: $2x$04$p6cp6VUzXbwhewASTFis3e63Q2xBbKO13.v//j9Ga24GlLiPyMw4y", "basic_auth_users.alice", "not a bcrypt hash"),
        ("basic_auth_users:\n  alice: $2b$03$p6cp6VUzXbwhewASTFis3e63Q2xBbKO13.v//j9Ga24GlLiPyMw4y", "basic_auth_users.alice", "not a bcrypt hash"),
        ("tls_server_config:\n  key_file: b", "tls_server_config.cert_file", "missing"),
        ("tls_server_config:\n  cert_file: a", "tls_server_config.key_file", "missing"),
        ("tls_server_config:\n  cert_file: a\n  cert: x\n  key_file: b", "tls_server_config.cert_file", "not both"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Always", "tls_server_config.client_auth_type", "is not one of"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: ca", "tls_server_config.client_auth_type", "client CAs"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert", "tls_server_config.client_ca_file", "missing"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14", "tls_server_config.min_version", "TLS10, TLS11"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12", "tls_server_config.min_version", "above"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P256]", "tls_server_config.curve_preferences", "unknown curve"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [x]", "tls_server_config.client_allowed_sans", "needs client_auth_type"),
        ("http_server_config:\n  headers:\n    Server: me", "http_server_config.headers.Server", "cannot be configured"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow", "http_server_config.headers.X-Frame-Options", "not one of deny, sameorigin"),
        ("http_server_config:\n  http2: maybe", "http_server_config.http2", "not true or false"),
        ("rate_limit:\n  interval: soon", "rate_limit.interval", "not a duration"),
        ("tls_server_config: yes", "tls_server_config", "expected a mapping"),
    ])
    func refused(text: String, key: String, message: String) throws {
        let error = try #require(rejection(text))
        #expect(error.key == key, "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test("a hash is never echoed in the error")
    func hashNotEchoed() throws {
        let error = try #require(rejection("basic_auth_users:\n  alice: hunter2-plaintext"))
        #expect(!error.description.contains("hunter2"))
    }

    @Test("YAML errors say the line")
    func yamlError() throws {
        let error = try #require(rejection("basic_auth_users:\n  alice: \"open\n"))
        #expect(error.key == nil)
        #expect(error.description.contains("line 2"))
    }

    @Test("Go durations", arguments: [("1s", 1.0), ("500ms", 0.5), ("1m30s", 90.0), ("0", 0.0), ("2h", 7200.0), ("1.5s", 1.5)])
    func goDurations(text: String, seconds: Double) {
        #expect(DurationText.seconds(text, dialect: .go) == seconds)
    }
}

@Suite struct BcryptTests {
    @Test("$2a$, $2b$ and $2y$ hashes verify the right password only")
    func verify() {
        for hash in [TestHashes.alice2y, TestHashes.secret2b, TestHashes.secret2a] {
            #expect(BcryptHash.isWellFormed(hash))
            #expect(BcryptHash.verify(password: "secret", hash: hash))
            #expect(!BcryptHash.verify(password: "Secret", hash: hash))
            #expect(!BcryptHash.verify(password: "secret\0tail", hash: hash))
        }
    }
}

@Suite struct AcceptEncodingTests {
    @Test("gzip is taken when named or covered by *, not when refused with q=0", arguments: [
        ("gzip", true), ("gzip, deflate, br", true), ("deflate, GZIP;q=0.5", true), ("*", true), ("identity", false),
        ("gzip;q=0", false), ("gzip; q=0.0, *", false), ("*;q=0", false), ("br", false),
    ])
    func gzip(header: String, accepted: Bool) {
        let request = HTTPRequest(method: "GET", path: "/metrics", headers: [("Accept-Encoding", header)])
        #expect(request.accepts(encoding: "gzip") == accepted)
    }

    @Test("no Accept-Encoding: no gzip")
    func absent() {
        #expect(!HTTPRequest(method: "GET", path: "/metrics").accepts(encoding: "gzip"))
    }
}

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
}
