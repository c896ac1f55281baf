#if canImport(Glibc)
import Glibc
#endif

/// Where to listen: `:9877` (every interface), `127.0.0.1:9877`, `[::1]:9877`; port 0 picks a free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Host: Sendable, Equatable {
        /// Every interface: IPv6 dual-stack, IPv4 alone where the host has no IPv6.
        case any
        case ipv4(String)
        case ipv6(String)
    }

    public var host: Host
    public var port: Int

    public init(host: Host, port: Int) {
        self.host = host
        self.port = port
    }

    public static let expectedForm = "[host]:port, e.g. :9877, 127.0.0.1:9877 or [::1]:9877"

    /// Parses `[host]:port`. The host is a numeric IPv4 address, a bracketed IPv6 address, `localhost`, or
    /// empty for every interface: no name lookups, so what is bound is what was written.
    public static func parse(_ text: String) throws(HTTPServerError) -> ListenAddress {
        let invalid = HTTPServerError.invalidListenAddress(text)
        guard let colon = text.lastIndex(of: ":") else { throw invalid }
        let hostText = text[..<colon]
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), port <= 65535 else { throw invalid }

        if hostText.isEmpty { return ListenAddress(host: .any, port: port) }
        if hostText == "localhost" { return ListenAddress(host: .ipv4("127.0.0.1"), port: port) }
        if hostText.hasPrefix("[") && hostText.hasSuffix("]") && hostText.count > 2 {
            let address = String(hostText.dropFirst().dropLast())
            guard SocketAddress.ipv6(address, port: 0) != nil else { throw invalid }
            return ListenAddress(host: address == "::" ? .any : .ipv6(address), port: port)
        }
        let address = String(hostText)
        guard !address.contains(":"), SocketAddress.ipv4(address, port: 0) != nil else { throw invalid }
        return ListenAddress(host: address == "0.0.0.0" ? .any : .ipv4(address), port: port)
    }

    public var description: String {
        switch host {
        case .any: ":\(port)"
        case .ipv4(let address): "\(address):\(port)"
        case .ipv6(let address): "[\(address)]:\(port)"
        }
    }
}

/// How the server listens and how long it waits for clients. Timeouts are in seconds.
public struct HTTPServerConfiguration: Sendable {
    public var listenAddress: ListenAddress
    /// Connections served at once; the ones beyond get `503` and are closed.
    public var maxConnections: Int
    /// A complete request head must arrive within this time, counted from the connection's opening or, on a
    /// kept-alive connection, from the first byte of the request: a silent or trickling client is cut off.
    public var readTimeout: Double
    /// How long a kept-alive connection may wait for the first byte of its next request.
    public var idleTimeout: Double
    /// How long a response may take to be sent.
    public var writeTimeout: Double
    /// A request head larger than this gets `431` and the connection is closed.
    public var maxHeaderBytes: Int
    /// Event-loop threads; each serves its share of the connections.
    public var loopCount: Int
    /// When set, every request but those for `unauthenticatedPaths` must carry these credentials.
    public var basicAuth: BasicAuthCredentials?
    /// Paths served without credentials (health checks).
    public var unauthenticatedPaths: Set<String>
    /// The realm named in `WWW-Authenticate` when credentials are missing or wrong.
    public var authRealm: String
    /// `--web.config.file`: TLS, bcrypt users (which replace `basicAuth`), extra headers, rate limit.
    public var webConfig: WebConfigFile?
    /// Threads that run bcrypt for credentials not in the web config's cache (never the event loops).
    public var verificationWorkers: Int
    /// Threads beside those that run bcrypt only for connections never refused for their credentials (a scraper's
    /// first request), so that a flood of new wrong passwords keeping `verificationWorkers` busy never sits in front
    /// of it. They sleep unless such a check is queued.
    public var priorityVerificationWorkers = 1
    /// Distinct credentials queued or being checked at most; a new one beyond gets `429` with `Retry-After`.
    /// nil: 4 per worker (at cost 10 a new credential then waits at most about four bcrypts).
    public var maxPendingVerifications: Int?
    /// Where the server counts what it refused; read by the application for its metrics.
    public var statistics = HTTPServerStatistics()
    /// Whether a password matches a stored hash: bcrypt; tests put a check of their own here.
    var passwordMatches: @Sendable (_ password: String, _ hash: String) -> Bool = BcryptHash.verify

    public init(listenAddress: ListenAddress = ListenAddress(host: .any, port: 9877),
                maxConnections: Int = 1024,
                readTimeout: Double = 10,
                idleTimeout: Double = 60,
                writeTimeout: Double = 10,
                maxHeaderBytes: Int = HTTPRequestParser.defaultMaxHeaderBytes,
                loopCount: Int = HTTPServerConfiguration.processorCount,
                basicAuth: BasicAuthCredentials? = nil,
                unauthenticatedPaths: Set<String> = [],
                authRealm: String = "akash-cost-exporter",
                webConfig: WebConfigFile? = nil) {
        self.listenAddress = listenAddress
        self.maxConnections = maxConnections
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.loopCount = loopCount
        self.basicAuth = basicAuth
        self.unauthenticatedPaths = unauthenticatedPaths
        self.authRealm = authRealm
        self.webConfig = webConfig
        verificationWorkers = Self.defaultVerificationWorkers
    }

    /// Half the processors: bcrypt of a flood of new passwords leaves the other half to the event loops.
    public static var defaultVerificationWorkers: Int { max(1, processorCount / 2) }

    /// One loop per processor this process may run on.
    public static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    case invalidListenAddress(String)
    case listenFailed(address: String, reason: String)
    case basicAuthFile(path: String, problem: String)
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidListenAddress(let value):
            "invalid listen address \"\(value)\": expected \(ListenAddress.expectedForm)"
        case .listenFailed(let address, let reason):
            "cannot listen on \(address): \(reason)"
        case .basicAuthFile(let path, let problem):
            "basic auth file \(path): \(problem); expected one line username:password"
        case .alreadyStarted:
            "the HTTP server was already started"
        }
    }
}
