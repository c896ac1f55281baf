import ExporterKit
import FoundationEssentials

/// Settings of the reachability view: the exporter's own probe of the provider gateways hosting the watched owners'
/// leases and of the watched providers. Which providers, the chain endpoint and the Console come from the tenant's,
/// the provider's and the compute settings.
public struct ReachabilityConfig: Sendable, Equatable {
    /// Off: no gateway is probed (the Console's view of the same providers is still read).
    public var probeEnabled: Bool
    /// Seconds between probe rounds.
    public var probeInterval: Double
    /// Seconds one `/status` request may take, connect to last byte.
    public var probeTimeout: Double
    /// On: gateways on loopback, private, CGNAT, link-local or unique-local addresses are probed too.
    public var allowPrivate: Bool

    public static let enabledFlag: Flag<Bool> = .bool(
        "akash.probe-enabled", default: true,
        help: "Probe GET {host_uri}/status of every provider hosting a watched owner's lease and of every watched provider "
            + "(no client certificate, no credentials; the gateway's certificate is not verified).")
    public static let intervalFlag: Flag<Double> = .duration(
        "akash.probe-interval", default: "1m", help: "How often to probe each provider gateway's /status.")
    public static let timeoutFlag: Flag<Double> = .duration(
        "akash.probe-timeout", default: "10s", help: "Time allowed for one provider gateway /status request.")
    public static let allowPrivateFlag: Flag<Bool> = .bool(
        "akash.probe-allow-private", default: false,
        help: "Also probe gateways whose host_uri resolves to loopback, private (RFC 1918), CGNAT, link-local or "
            + "unique-local addresses (a private network, a test); off, such a host_uri is refused and never contacted.")

    public static let flags = [enabledFlag.spec, intervalFlag.spec, timeoutFlag.spec, allowPrivateFlag.spec]

    public init(probeEnabled: Bool = Self.enabledFlag.defaultValue, probeInterval: Double = Self.intervalFlag.defaultValue,
                probeTimeout: Double = Self.timeoutFlag.defaultValue, allowPrivate: Bool = Self.allowPrivateFlag.defaultValue) {
        self.probeEnabled = probeEnabled
        self.probeInterval = probeInterval
        self.probeTimeout = probeTimeout
        self.allowPrivate = allowPrivate
    }

    public init(_ flags: ParsedFlags) throws(ConfigError) {
        self.init(probeEnabled: try flags[Self.enabledFlag], probeInterval: try flags[Self.intervalFlag],
                  probeTimeout: try flags[Self.timeoutFlag], allowPrivate: try flags[Self.allowPrivateFlag])
    }
}
