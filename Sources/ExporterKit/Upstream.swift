import FoundationEssentials

/// One GET to an upstream API.
public struct UpstreamRequest: Sendable {
    public var url: URL
    /// Request headers. Secrets (the CoinMarketCap key) travel here and only here.
    public var headers: [String: String]
    /// The whole request, connect to last byte, in seconds.
    public var timeout: Double
    /// A larger body is refused (reason `decode`) without being held in memory whole.
    public var maxBodyBytes: Int

    /// Set: the request goes to an address its caller checked, and nowhere else (see `PinnedAddress`).
    public var pinned: PinnedAddress?

    /// 16 MiB: far above any answer the exporter reads, while still bounding memory.
    public static let defaultMaxBodyBytes = 16 << 20

    /// Where a request to a host the exporter did not choose (a provider's gateway, named on chain) may go: the
    /// address the caller resolved and checked, connected to directly. The URL's host name stays in the `Host`
    /// header and the TLS server name; no second resolution happens between the check and the connection, no proxy
    /// is asked (it would resolve the name itself), and only `https` is spoken.
    public struct PinnedAddress: Sendable, Equatable {
        /// An IP address literal, IPv6 without brackets.
        public var address: String
        /// false: the server's certificate chain and name are not checked (provider gateways present self-signed
        /// certificates). Nothing secret is ever sent on such a request.
        public var verifiesCertificate: Bool

        public init(address: String, verifiesCertificate: Bool) {
            self.address = address
            self.verifiesCertificate = verifiesCertificate
        }
    }

    public init(url: URL, headers: [String: String] = [:], timeout: Double, maxBodyBytes: Int = defaultMaxBodyBytes) {
        self.url = url
        self.headers = headers
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }
}

/// What came back. Any HTTP status is a response; only transport problems throw.
public struct UpstreamResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    /// The decoded body.
    public var body: Data
    /// Body bytes received on the wire: the compressed size when the answer was compressed.
    public var wireBytes: Int

    public init(status: Int, headers: [String: String] = [:], body: Data, wireBytes: Int? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.wireBytes = wireBytes ?? body.count
    }

    /// Seconds from a `Retry-After` header (delta-seconds or an HTTP date), if any.
    public func retryAfter(now: Date = Date()) -> Double? {
        guard let value = headers["retry-after"]?.trimmingWhitespace() else { return nil }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return seconds }
        guard let date = HTTPDate.parse(value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// Throws the generic failure for a non-2xx status: 401/403 `auth`, 429 `rate_limited` (with
    /// `Retry-After`), anything else `http`. Sources that know their API's error bodies refine this first.
    public func requireSuccess(_ what: String) throws(SourceFailure) {
        switch status {
        case 200..<300: return
        case 401, 403: throw SourceFailure(.auth, "\(what): HTTP \(status)")
        case 429: throw SourceFailure(.rateLimited, "\(what): HTTP 429", retryAfter: retryAfter())
        default: throw SourceFailure(.http, "\(what): HTTP \(status)")
        }
    }
}

/// Performs upstream requests. Throws `SourceFailure` with reason `timeout`, `connection` or `decode`
/// (body over the limit); HTTP error statuses are returned, not thrown.
public protocol UpstreamFetching: Sendable {
    func fetch(_ request: UpstreamRequest) async throws(SourceFailure) -> UpstreamResponse
}

extension URL {
    /// Appends an API path to a base URL that may carry a path prefix (`http://127.0.0.1:8080/cmc`), and a query.
    public func appendingAPIPath(_ path: String, query: [(String, String)] = []) -> URL {
        var components = URLComponents(url: self, resolvingAgainstBaseURL: false)!
        let prefix = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.percentEncodedPath = prefix + path
        if !query.isEmpty {
            components.percentEncodedQueryItems = query.map {
                URLQueryItem(name: $0.0, value: Self.percentEncodedQueryValue($0.1))
            }
        }
        return components.url!
    }

    /// Unreserved ASCII characters plus `,` (CoinMarketCap id lists) kept, every other UTF-8 byte percent-encoded.
    public static func percentEncodedQueryValue(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ","):
                encoded.append(byte)
            default:
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
