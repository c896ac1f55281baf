import Durations
/// The web configuration file of the Prometheus ecosystem (prometheus/exporter-toolkit's `--web.config.file`):
/// TLS, bcrypt basic auth, extra response headers and a rate limit. Every key of that format is read, and an
/// unknown key is an error, as exporter-toolkit's strict YAML decoding makes it: a misspelt `basic_auth_user`
/// must not silently leave the exporter open.
public struct WebConfig: Sendable, Equatable {
    public var tls: TLSSettings?
    /// Username and bcrypt hash, in file order.
    public var users: [BasicAuthUser]
    /// Extra headers sent with every response (`http_server_config.headers`).
    public var headers: [HeaderField]
    /// `http_server_config.http2`: read for compatibility; this server speaks HTTP/1.1 only.
    public var http2: Bool
    public var rateLimit: RateLimit?

    public init(tls: TLSSettings? = nil, users: [BasicAuthUser] = [], headers: [HeaderField] = [], http2: Bool = true,
                rateLimit: RateLimit? = nil) {
        self.tls = tls
        self.users = users
        self.headers = headers
        self.http2 = http2
        self.rateLimit = rateLimit
    }

    public struct BasicAuthUser: Sendable, Equatable {
        public var name: String
        public var hash: String
    }

    public struct HeaderField: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// `rate_limit`: at most `burst` requests at once, refilled one per `interval` seconds.
    public struct RateLimit: Sendable, Equatable {
        public var interval: Double
        public var burst: Int
    }

    /// PEM text given in the file itself (`cert`, `key`, `client_ca`) or a file it names (`*_file`).
    public enum PEMSource: Sendable, Equatable {
        case file(String)
        case inline(String)
    }

    /// exporter-toolkit's `client_auth_type` values (Go's `tls.ClientAuthType` names).
    public enum ClientAuth: String, Sendable, Equatable, CaseIterable {
        case noClientCert = "NoClientCert"
        case requestClientCert = "RequestClientCert"
        case requireAnyClientCert = "RequireAnyClientCert"
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"
    }

    public enum TLSVersion: String, Sendable, Equatable, CaseIterable, Comparable {
        case tls10 = "TLS10", tls11 = "TLS11", tls12 = "TLS12", tls13 = "TLS13"

        /// The protocol version number on the wire (0x0301 is TLS 1.0).
        public var wireValue: Int32 {
            switch self {
            case .tls10: 0x0301
            case .tls11: 0x0302
            case .tls12: 0x0303
            case .tls13: 0x0304
            }
        }

        public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.wireValue < rhs.wireValue }
    }

    public struct TLSSettings: Sendable, Equatable {
        public var certificate: PEMSource
        public var key: PEMSource
        public var clientCA: PEMSource?
        public var clientAuth: ClientAuth = .noClientCert
        public var minVersion: TLSVersion = .tls12
        public var maxVersion: TLSVersion = .tls13
        /// Go's (IANA) names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; they apply up to TLS 1.2.
        public var cipherSuites: [String] = []
        /// Go's names: CurveP256, CurveP384, CurveP521, X25519.
        public var curvePreferences: [String] = []
        public var preferServerCipherSuites = true
        /// A client certificate must carry one of these as a DNS, e-mail, IP or URI subject alternative name.
        public var clientAllowedSANs: [String]?

        public init(certificate: PEMSource, key: PEMSource) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// The headers `http_server_config.headers` may set, and the values allowed where the set is closed.
    static let configurableHeaders: [(name: String, values: [String])] = [
        ("Strict-Transport-Security", []), ("X-Content-Type-Options", ["nosniff"]),
        ("X-Frame-Options", ["deny", "sameorigin"]), ("X-XSS-Protection", []), ("Content-Security-Policy", []),
    ]

    static let curves = ["CurveP256": "P-256", "CurveP384": "P-384", "CurveP521": "P-521", "X25519": "X25519"]
}

/// What is wrong with a web config, naming the key (`tls_server_config.client_auth_type`) as the user wrote it.
public struct WebConfigError: Error, Equatable, CustomStringConvertible {
    /// The dotted path of the key, or nil for the file as a whole.
    public var key: String?
    public var message: String

    public init(key: String?, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.map { "\($0): \(message)" } ?? message }
}

extension WebConfig {
    /// Parses the file's text. Relative file names are taken from `directory` (the config file's own), as
    /// exporter-toolkit does. Pure: files named in it are read later, when the TLS context is built.
    public static func parse(_ text: String, directory: String) throws(WebConfigError) -> WebConfig {
        let root: YAMLNode
        do {
            root = try YAMLSubset.parse(text)
        } catch {
            throw WebConfigError(key: nil, "not valid YAML: \(error)")
        }
        var config = WebConfig()
        let top = try Reader(root, path: nil)
        try top.checkKeys(["tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"])
        if let tls = try top.mapping("tls_server_config") {
            config.tls = try parseTLS(tls, directory: directory)
        }
        if let http = try top.mapping("http_server_config") {
            try http.checkKeys(["http2", "headers"])
            config.http2 = try http.bool("http2") ?? true
            if let headers = try http.mapping("headers") {
                config.headers = try parseHeaders(headers)
            }
        }
        if let users = try top.mapping("basic_auth_users") {
            for entry in users.entries {
                let key = users.child(entry.key)
                guard case .scalar(let hash) = entry.value.kind, !hash.isEmpty else {
                    throw WebConfigError(key: key, "expected a bcrypt hash")
                }
                // The hash is a secret of sorts: the message says what is wrong, never what was written.
                guard BcryptHash.isWellFormed(hash) else {
                    throw WebConfigError(key: key, "not a bcrypt hash (expected $2a$, $2b$ or $2y$, a cost 04-31 and 53 characters, as htpasswd -nBC 10 writes)")
                }
                config.users.append(BasicAuthUser(name: entry.key, hash: hash))
            }
        }
        if let limit = try top.mapping("rate_limit") {
            try limit.checkKeys(["interval", "burst"])
            let interval = try limit.string("interval").map { text throws(WebConfigError) in
                guard let seconds = DurationText.seconds(text, dialect: .go) else {
                    throw WebConfigError(key: limit.child("interval"), "\"\(text)\" is not a duration such as 1s or 500ms")
                }
                return seconds
            } ?? 0
            let burst = try limit.int("burst") ?? 0
            if interval > 0 { config.rateLimit = RateLimit(interval: interval, burst: max(1, burst)) }
        }
        return config
    }

    private static func parseTLS(_ tls: Reader, directory: String) throws(WebConfigError) -> TLSSettings? {
        try tls.checkKeys(["cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type", "client_ca_file",
                           "client_allowed_sans", "min_version", "max_version", "cipher_suites",
                           "prefer_server_cipher_suites", "curve_preferences"])
        func source(inline: String, file: String) throws(WebConfigError) -> PEMSource? {
            let text = try tls.string(inline).flatMap { $0.isEmpty ? nil : $0 }
            let path = try tls.string(file).flatMap { $0.isEmpty ? nil : $0 }
            if text != nil && path != nil {
                throw WebConfigError(key: tls.child(file), "set either \(inline) or \(file), not both")
            }
            if let path { return .file(path.hasPrefix("/") ? path : directory + "/" + path) }
            return text.map { .inline($0) }
        }
        let certificate = try source(inline: "cert", file: "cert_file")
        let key = try source(inline: "key", file: "key_file")
        let clientCA = try source(inline: "client_ca", file: "client_ca_file")
        let clientAuthText = try tls.string("client_auth_type") ?? ""
        // Like exporter-toolkit: a section naming nothing TLS-related means plain HTTP.
        guard certificate != nil || key != nil || clientCA != nil || !clientAuthText.isEmpty else { return nil }
        guard let certificate else { throw WebConfigError(key: tls.child("cert_file"), "missing: TLS needs cert_file (or cert)") }
        guard let key else { throw WebConfigError(key: tls.child("key_file"), "missing: TLS needs key_file (or key)") }
        var settings = TLSSettings(certificate: certificate, key: key)
        settings.clientCA = clientCA

        let legacy = ["RequireClientCert": ClientAuth.requireAnyClientCert, "": .noClientCert]
        guard let clientAuth = ClientAuth(rawValue: clientAuthText) ?? legacy[clientAuthText] else {
            throw WebConfigError(key: tls.child("client_auth_type"),
                                 "\"\(clientAuthText)\" is not one of \(ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        settings.clientAuth = clientAuth
        if clientCA != nil && clientAuth == .noClientCert {
            throw WebConfigError(key: tls.child("client_auth_type"), "client CAs are configured but client_auth_type does not ask for a client certificate")
        }
        if (clientAuth == .verifyClientCertIfGiven || clientAuth == .requireAndVerifyClientCert) && clientCA == nil {
            throw WebConfigError(key: tls.child("client_ca_file"), "missing: \(clientAuth.rawValue) verifies client certificates against client_ca_file (or client_ca)")
        }
        func version(_ name: String) throws(WebConfigError) -> TLSVersion? {
            guard let text = try tls.string(name) else { return nil }
            guard let version = TLSVersion(rawValue: text) else {
                throw WebConfigError(key: tls.child(name), "\"\(text)\" is not one of TLS10, TLS11, TLS12, TLS13")
            }
            return version
        }
        settings.minVersion = try version("min_version") ?? .tls12
        settings.maxVersion = try version("max_version") ?? .tls13
        if settings.minVersion > settings.maxVersion {
            throw WebConfigError(key: tls.child("min_version"), "\(settings.minVersion.rawValue) is above max_version \(settings.maxVersion.rawValue)")
        }
        settings.cipherSuites = try tls.strings("cipher_suites") ?? []
        settings.curvePreferences = try tls.strings("curve_preferences") ?? []
        for curve in settings.curvePreferences where curves[curve] == nil {
            throw WebConfigError(key: tls.child("curve_preferences"), "unknown curve \"\(curve)\": expected CurveP256, CurveP384, CurveP521 or X25519")
        }
        settings.preferServerCipherSuites = try tls.bool("prefer_server_cipher_suites") ?? true
        settings.clientAllowedSANs = try tls.strings("client_allowed_sans")
        if settings.clientAllowedSANs != nil && clientAuth != .requireAnyClientCert && clientAuth != .requireAndVerifyClientCert {
            throw WebConfigError(key: tls.child("client_allowed_sans"), "needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert")
        }
        return settings
    }

    private static func parseHeaders(_ headers: Reader) throws(WebConfigError) -> [HeaderField] {
        var fields: [HeaderField] = []
        for entry in headers.entries {
            let key = headers.child(entry.key)
            guard let allowed = configurableHeaders.first(where: { $0.name == entry.key }) else {
                throw WebConfigError(key: key, "this header cannot be configured; expected one of \(configurableHeaders.map(\.name).joined(separator: ", "))")
            }
            let value: String
            switch entry.value.kind {
            case .null: continue  // unset if blank
            case .scalar(let text): value = text
            default: throw WebConfigError(key: key, "expected a header value")
            }
            if value.isEmpty { continue }
            guard allowed.values.isEmpty || allowed.values.contains(value) else {
                throw WebConfigError(key: key, "\"\(value)\" is not one of \(allowed.values.joined(separator: ", "))")
            }
            guard !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw WebConfigError(key: key, "a header value cannot span lines")
            }
            fields.append(HeaderField(name: entry.key, value: value))
        }
        return fields
    }
}

/// Reads one mapping of the file with the dotted path of its keys, for errors that name them.
private struct Reader {
    let entries: [YAMLEntry]
    let path: String?

    init(_ node: YAMLNode, path: String?) throws(WebConfigError) {
        switch node.kind {
        case .mapping(let entries): self.entries = entries
        case .null: self.entries = []
        default: throw WebConfigError(key: path, "expected a mapping of keys (line \(node.line))")
        }
        self.path = path
    }

    func child(_ key: String) -> String { path.map { "\($0).\(key)" } ?? key }

    func checkKeys(_ known: [String]) throws(WebConfigError) {
        for entry in entries where !known.contains(entry.key) {
            throw WebConfigError(key: child(entry.key), "unknown key (line \(entry.value.line)); expected one of \(known.joined(separator: ", "))")
        }
    }

    private func node(_ key: String) -> YAMLNode? {
        guard let node = entries.first(where: { $0.key == key })?.value, node.kind != .null else { return nil }
        return node
    }

    func mapping(_ key: String) throws(WebConfigError) -> Reader? {
        guard let node = node(key) else { return nil }
        return try Reader(node, path: child(key))
    }

    func string(_ key: String) throws(WebConfigError) -> String? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let text) = node.kind else { throw WebConfigError(key: child(key), "expected a single value") }
        return text
    }

    func strings(_ key: String) throws(WebConfigError) -> [String]? {
        guard let node = node(key) else { return nil }
        guard case .sequence(let items) = node.kind else { throw WebConfigError(key: child(key), "expected a list") }
        var values: [String] = []
        for item in items {
            guard case .scalar(let text) = item.kind else { throw WebConfigError(key: child(key), "expected a list of values") }
            values.append(text)
        }
        return values
    }

    func bool(_ key: String) throws(WebConfigError) -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw WebConfigError(key: child(key), "\"\(text)\" is not true or false")
        }
    }

    func int(_ key: String) throws(WebConfigError) -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text), value >= 0 else { throw WebConfigError(key: child(key), "\"\(text)\" is not a whole number") }
        return value
    }
}

