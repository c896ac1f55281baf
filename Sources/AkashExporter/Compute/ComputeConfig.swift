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

    public static let defaultConsoleURL = URL(string: "https://console-api.akash.network")!

    public init(enabled: Bool = true, consoleURL: URL = ComputeConfig.defaultConsoleURL,
                pricesInterval: Double = 15 * 60, capacityInterval: Double = 60, providersInterval: Double = 30 * 60,
                pricesTimeout: Double = 30, consoleTimeout: Double = 10) {
        self.enabled = enabled
        self.consoleURL = consoleURL
        self.pricesInterval = pricesInterval
        self.capacityInterval = capacityInterval
        self.providersInterval = providersInterval
        self.pricesTimeout = pricesTimeout
        self.consoleTimeout = consoleTimeout
    }

    public static let flags: [FlagSpec] = [
        FlagSpec("akash.console-enabled", default: "true", kind: .bool,
                 help: "Poll the Akash Console API for GPU prices, network capacity and provider counts."),
        FlagSpec("akash.console-url", default: defaultConsoleURL.absoluteString, placeholder: "URL",
                 help: "Base URL of the Akash Console API; may carry a path prefix."),
        FlagSpec("akash.prices-interval", default: "15m", placeholder: "DURATION",
                 help: "How often to poll /v1/gpu-prices (the Console refreshes it every 15m)."),
        FlagSpec("akash.capacity-interval", default: "1m", placeholder: "DURATION",
                 help: "How often to poll /v1/network-capacity."),
        FlagSpec("akash.providers-interval", default: "30m", placeholder: "DURATION",
                 help: "How often to poll /v1/providers: a large body, for counts (registered, online, audited) that change over hours; akash_providers{state=\"active\"} comes from /v1/network-capacity every minute."),
        FlagSpec("akash.prices-timeout", default: "30s", placeholder: "DURATION",
                 help: "Timeout of a /v1/gpu-prices request (slow when the Console's cache is cold)."),
        FlagSpec("akash.console-timeout", default: "10s", placeholder: "DURATION",
                 help: "Timeout of a /v1/network-capacity or /v1/providers request."),
    ]

    /// Builds the config from parsed flags; a bad URL or duration is a `ConfigError` naming the flag.
    public init(_ flags: ParsedFlags) throws(ConfigError) {
        let defaults = ComputeConfig()
        self.init(
            enabled: try flags.bool("akash.console-enabled"),
            consoleURL: try flags.url("akash.console-url") ?? defaults.consoleURL,
            pricesInterval: try flags.duration("akash.prices-interval") ?? defaults.pricesInterval,
            capacityInterval: try flags.duration("akash.capacity-interval") ?? defaults.capacityInterval,
            providersInterval: try flags.duration("akash.providers-interval") ?? defaults.providersInterval,
            pricesTimeout: try flags.duration("akash.prices-timeout") ?? defaults.pricesTimeout,
            consoleTimeout: try flags.duration("akash.console-timeout") ?? defaults.consoleTimeout)
    }
}

extension UpstreamAPI {
    /// The Akash Console API (`--akash.console-url`).
    static let akashConsole = UpstreamAPI(name: "Console", urlFlag: "akash.console-url", fakePrefix: "/console")
}
