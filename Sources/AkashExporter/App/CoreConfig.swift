import ExporterKit
import HTTPServer

/// The exporter's own flags: where it listens, how it logs, where it keeps state.
public struct CoreConfig: Sendable {
    public var listenAddress: ListenAddress
    public var telemetryPath: String
    public var maxConnections: Int
    public var basicAuth: BasicAuthCredentials?
    /// `--web.config.file`, loaded and checked (certificates included) before anything starts.
    public var webConfig: WebConfigFile?
    public var logLevel: Logger.Level
    public var logFormat: Logger.Format
    public var stateFile: String?
    public var once: Bool
    /// Seconds within which each source's first poll is randomly placed (never more than its interval).
    public var startSpread: Double
    /// The calendar the exporter lives by: the system's, or one started at `--clock.start`.
    public var clock: WallClock

    public static let listenAddressFlag: Flag<String> = .string(
        "web.listen-address", default: ":9877", placeholder: "[HOST]:PORT",
        help: "Address to listen on for the metrics, landing page and health endpoints.")
    public static let telemetryPathFlag: Flag<String> = .string(
        "web.telemetry-path", default: "/metrics", placeholder: "PATH", help: "Path under which to expose metrics.")
    public static let maxConnectionsFlag: Flag<Int> = .int(
        "web.max-connections", default: 1024, range: 1...65_536, placeholder: "N",
        help: "Open HTTP connections allowed at once; beyond it new connections get 503.")
    public static let webConfigFileFlag: Flag<String?> = .optionalString(
        "web.config.file", placeholder: "FILE",
        help: "Web configuration in exporter-toolkit's format: TLS (tls_server_config), bcrypt basic auth (basic_auth_users), response headers; re-read when it changes. /-/healthy and /-/ready stay open.")
    public static let basicAuthFileFlag: Flag<String?> = .optionalString(
        "web.basic-auth-file", placeholder: "FILE",
        help: "Deprecated, use --web.config.file: file holding username:password on one line; every path but /-/healthy and /-/ready then needs HTTP basic auth.")
    public static let logLevelFlag: Flag<String> = .string(
        "log.level", default: "info", placeholder: "LEVEL",
        help: "Only log messages with the given severity or above: debug, info, warn, error.")
    public static let logFormatFlag: Flag<String> = .string(
        "log.format", default: "logfmt", placeholder: "FORMAT", help: "Output format of log messages: logfmt or json.")
    public static let stateFileFlag: Flag<String> = .string(
        "state.file", default: "akash-cost-exporter.state.json", placeholder: "FILE",
        help: "Where resolved ids, the previous AKT quote and the month's CoinMarketCap credits survive restarts; empty keeps them in memory.")
    public static let startSpreadFlag: Flag<Double> = .duration(
        "poll.start-spread", default: "10s", allowingZero: true,
        help: "Each source's first poll starts at a random offset up to this long (and within its interval), so that many exporters restarted together do not call an API in the same second; /-/ready waits for the first polls. 0s polls everything at once.")
    public static let clockStartFlag: Flag<String?> = .optionalString(
        "clock.start", placeholder: "INSTANT",
        help: "Run the exporter's calendar from this UTC instant (RFC 3339, e.g. 2026-02-28T23:30:00Z) instead of the system's: the CoinMarketCap credit plan and its monthly reset, data ages and timestamps follow it. For tests and demos of a calendar edge; unset in production.")
    public static let onceFlag: Flag<Bool> = .bool(
        "once", help: "Poll every enabled source once, print the exposition to stdout and exit: 0 if every poll succeeded, 1 otherwise.")

    public static let flags = [listenAddressFlag.spec, telemetryPathFlag.spec, maxConnectionsFlag.spec, webConfigFileFlag.spec,
                               basicAuthFileFlag.spec, logLevelFlag.spec, logFormatFlag.spec, stateFileFlag.spec, startSpreadFlag.spec,
                               clockStartFlag.spec, onceFlag.spec]

    public init(_ flags: ParsedFlags) throws(ConfigError) {
        let address = try flags[Self.listenAddressFlag]
        do {
            listenAddress = try ListenAddress.parse(address)
        } catch {
            throw .invalid(Self.listenAddressFlag.name, address, expected: "[host]:port, e.g. :9877, 127.0.0.1:9877 or [::1]:9877")
        }
        let path = try flags[Self.telemetryPathFlag]
        guard path.hasPrefix("/"), path != "/", !path.hasPrefix("/-/"), !path.contains(where: { $0 == "?" || $0 == "#" || $0 == " " }) else {
            throw .invalid(Self.telemetryPathFlag.name, path, expected: "a path such as /metrics (not /, not under /-/)")
        }
        telemetryPath = path
        maxConnections = try flags[Self.maxConnectionsFlag]
        if let file = try flags[Self.basicAuthFileFlag], !file.isEmpty {
            do {
                basicAuth = try BasicAuthCredentials.load(path: file)
            } catch {
                // The file's content (a password) never enters the message, only what is wrong with it.
                let problem = if case .basicAuthFile(_, let problem) = error { problem } else { "cannot be used" }
                throw .invalid(Self.basicAuthFileFlag.name, file, expected: "a file with one line username:password, but it \(problem)")
            }
        }
        if let file = try flags[Self.webConfigFileFlag], !file.isEmpty {
            guard basicAuth == nil else {
                throw ConfigError("--web.basic-auth-file cannot be combined with --web.config.file: move the user to basic_auth_users there (a bcrypt hash)")
            }
            do {
                webConfig = try WebConfigFile(path: file)
            } catch {
                throw ConfigError("--web.config.file \(file): \(error)")
            }
        }
        let level = try flags[Self.logLevelFlag]
        guard let parsedLevel = Logger.Level(name: level) else {
            throw .invalid(Self.logLevelFlag.name, level, expected: "one of debug, info, warn, error")
        }
        logLevel = parsedLevel
        let format = try flags[Self.logFormatFlag]
        guard let parsedFormat = Logger.Format(rawValue: format) else {
            throw .invalid(Self.logFormatFlag.name, format, expected: "logfmt or json")
        }
        logFormat = parsedFormat
        let state = try flags[Self.stateFileFlag]
        stateFile = state.isEmpty ? nil : state
        once = try flags[Self.onceFlag]
        startSpread = try flags[Self.startSpreadFlag]
        if let start = try flags[Self.clockStartFlag], !start.isEmpty {
            guard let instant = WallClock.parseInstant(start) else {
                throw .invalid(Self.clockStartFlag.name, start, expected: "a UTC instant such as 2026-02-28T23:30:00Z")
            }
            clock = .starting(at: instant)
        } else {
            clock = .system
        }
    }
}
