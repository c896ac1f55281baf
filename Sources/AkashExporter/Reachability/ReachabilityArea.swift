import ExporterKit
import FoundationEssentials

/// Is a provider still there: the exporter's own probe of each provider gateway that hosts a watched owner's paid
/// lease or is itself watched, and the Console's record of the same providers (online, uptime). Which leases are
/// paid comes through `SharedDependencies.paidLeases`; knows nothing of spend, escrow or bids.
public enum ReachabilityArea: SourceArea {
    static let flags = ReachabilityConfig.flags

    static func configure(_ input: ConfigInput) throws(ConfigError) -> ReachabilityConfig {
        try ReachabilityConfig(input.flags)
    }

    static let sources = [GatewayProbe.declaration, ConsoleUptime.declaration]
}

/// The providers the view watches, each once, sorted: every provider of a paid lease and every watched provider.
/// An address that is not a well-formed Akash account (chain data is anyone's to write) is left out: it would go
/// into a request path and a label.
enum ProbedProviders {
    static func of(watched: [String], leases: [ActiveLease]) -> [String] {
        Set(watched + leases.map(\.provider)).filter(isAccount).sorted()
    }

    static func isAccount(_ address: String) -> Bool {
        do throws(Bech32.Problem) {
            _ = try Bech32.decode(address, expectingPrefix: "akash")
            return address == address.lowercased()
        } catch {
            return false
        }
    }

    /// The providers of `setup`: nil when nothing is watched (no owner, no provider).
    static func source(_ setup: SourceSetup) -> (@Sendable (Date) -> [String])? {
        let watched = setup[ProviderArea.self]?.providers ?? []
        guard setup[AccountArea.self]?.isEnabled == true || !watched.isEmpty else { return nil }
        let leases = setup.shared.paidLeases
        return { now in of(watched: watched, leases: leases.leases(at: now)) }
    }
}
