import ExporterKit
import FoundationEssentials

/// Settings of the compute area: where the Akash Console API is and how often each endpoint is polled.
public struct ComputeConfig: Sendable, Equatable {
    /// Off lets a user run only the account part (no Console API calls at all).
    public var enabled: Bool
    /// Base URL of the Console API; may carry a path prefix (`http://127.0.0.1:8080/console`).
    public var consoleURL: URL
    /// Seconds between polls of `/v1/gpu-prices`. The Console memoizes it for 15 min, so polling faster only
    /// re-reads the same numbers.
    public var pricesInterval: Double
    /// Seconds between polls of `/v1/network-capacity` (memoized 15 s upstream).
    public var capacityInterval: Double
    /// Seconds between polls of `/v1/providers` (a large body, memoized 60 s upstream).
    public var providersInterval: Double
    /// Seconds a `/v1/gpu-prices` request may take: a cold Console cache has been seen to answer in ~16 s.
    public var pricesTimeout: Double
    /// Seconds a `/v1/network-capacity` or `/v1/providers` request may take.
    public var consoleTimeout: Double

    public init(enabled: Bool = Self.enabledFlag.defaultValue, consoleURL: URL = Self.consoleURLFlag.defaultValue,
                pricesInterval: Double = Self.pricesIntervalFlag.defaultValue,
                capacityInterval: Double = Self.capacityIntervalFlag.defaultValue,
                providersInterval: Double = Self.providersIntervalFlag.defaultValue,
                pricesTimeout: Double = Self.pricesTimeoutFlag.defaultValue,
                consoleTimeout: Double = Self.consoleTimeoutFlag.defaultValue) {
        self.enabled = enabled
        self.consoleURL = consoleURL
        self.pricesInterval = pricesInterval
        self.capacityInterval = capacityInterval
        self.providersInterval = providersInterval
        self.pricesTimeout = pricesTimeout
        self.consoleTimeout = consoleTimeout
    }

    public static let enabledFlag: Flag<Bool> = .bool(
        "akash.console-enabled", default: true,
        help: "Poll the Akash Console API for GPU prices, network capacity and provider counts.")
    public static let consoleURLFlag: Flag<URL> = .url(
        "akash.console-url", default: "https://console-api.akash.network",
        help: "Base URL of the Akash Console API; may carry a path prefix.")
    public static let pricesIntervalFlag: Flag<Double> = .duration(
        "akash.prices-interval", default: "15m", help: "How often to poll /v1/gpu-prices (the Console refreshes it every 15m).")
    public static let capacityIntervalFlag: Flag<Double> = .duration(
        "akash.capacity-interval", default: "1m", help: "How often to poll /v1/network-capacity.")
    public static let providersIntervalFlag: Flag<Double> = .duration(
        "akash.providers-interval", default: "30m",
        help: "How often to poll /v1/providers: a large body, for counts (registered, online, audited) that change over hours; akash_providers{state=\"active\"} comes from /v1/network-capacity every minute.")
    public static let pricesTimeoutFlag: Flag<Double> = .duration(
        "akash.prices-timeout", default: "30s", help: "Timeout of a /v1/gpu-prices request (slow when the Console's cache is cold).")
    public static let consoleTimeoutFlag: Flag<Double> = .duration(
        "akash.console-timeout", default: "10s", help: "Timeout of a /v1/network-capacity or /v1/providers request.")

    public static let flags = [enabledFlag.spec, consoleURLFlag.spec, pricesIntervalFlag.spec, capacityIntervalFlag.spec,
                               providersIntervalFlag.spec, pricesTimeoutFlag.spec, consoleTimeoutFlag.spec]

    /// Builds the config from parsed flags; a bad URL or duration is a `ConfigError` naming the flag.
    public init(_ flags: ParsedFlags) throws(ConfigError) {
        self.init(enabled: try flags[Self.enabledFlag], consoleURL: try flags[Self.consoleURLFlag],
                  pricesInterval: try flags[Self.pricesIntervalFlag], capacityInterval: try flags[Self.capacityIntervalFlag],
                  providersInterval: try flags[Self.providersIntervalFlag], pricesTimeout: try flags[Self.pricesTimeoutFlag],
                  consoleTimeout: try flags[Self.consoleTimeoutFlag])
    }
}

extension UpstreamAPI {
    /// The Akash Console API (`--akash.console-url`).
    static let akashConsole = UpstreamAPI(name: "Console", urlFlag: ComputeConfig.consoleURLFlag.name)
}
