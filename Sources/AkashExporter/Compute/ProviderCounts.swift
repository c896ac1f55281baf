import ExporterKit
import Exposition
import FoundationEssentials

/// Source `akash_providers`: `GET /v1/providers` of the Akash Console API, every provider registered on chain
/// (not deleted), online or not. The body is large (stats, attributes, hardware of each provider); only the
/// two flags counted here are decoded, and only the counts are kept.
enum ProviderList {
    static let path = "/v1/providers"
    /// Hundreds of providers at several KiB each; generous, while still bounding memory.
    static let maxBodyBytes = 32 << 20

    static let declaration = Source(
        name: "akash_providers", api: .akashConsole, endpoints: [.init(path)],
        summary: "Console `GET /v1/providers` (large body, only two fields decoded)", schedule: "30 min",
        intervalFlag: ComputeConfig.providersIntervalFlag.spec, timeoutFlag: ComputeConfig.consoleTimeoutFlag.spec
    ) { setup in
        guard let config = setup[ComputeArea.self], config.enabled else { return nil }
        let endpoint = Endpoint("akash_providers", api: .akashConsole, baseURL: config.consoleURL, path: path,
                                interval: config.providersInterval, timeout: config.consoleTimeout, maxBodyBytes: maxBodyBytes,
                                decode: decode, families: families)
        return MadeSource(endpoint.source, collectors: [endpoint.collector])
    }

    struct Provider: Decodable, Sendable {
        let isOnline: Bool
        let isAudited: Bool
    }

    @Sendable static func decode(_ body: Data) throws(SourceFailure) -> ProviderCounts {
        ProviderCounts(try JSONBody.decode([Provider].self, from: body, what: UpstreamAPI.akashConsole.describe(path)))
    }

    @Sendable static func families(_ counts: ProviderCounts) -> [MetricFamily] {
        var family = ProviderCounts.family()
        family.add(Double(counts.registered), ["state": "registered"])
        family.add(Double(counts.online), ["state": "online"])
        family.add(Double(counts.audited), ["state": "audited"])
        return [family]
    }
}

/// Provider counts from `/v1/providers`. `active` comes from `/v1/network-capacity` instead (providers with a
/// status snapshot in the last 3 hours), so `akash_providers` is fed by two sources.
struct ProviderCounts: Sendable, Equatable {
    /// Every provider listed.
    var registered: Int
    /// Reachable at the Console's last check.
    var online: Int
    /// Online and signed by a known auditor: offline audited providers cannot take a lease.
    var audited: Int

    init(registered: Int, online: Int, audited: Int) {
        self.registered = registered
        self.online = online
        self.audited = audited
    }

    init(_ providers: [ProviderList.Provider]) {
        registered = providers.count
        online = providers.count { $0.isOnline }
        audited = providers.count { $0.isOnline && $0.isAudited }
    }

    /// The one definition of `akash_providers`, shared by both sources so their HELP texts agree when merged.
    static func family() -> MetricFamily {
        .gauge("akash_providers",
               "Akash providers by state: active (reported status in the last 3 h, Akash Console API "
               + "/v1/network-capacity); registered (listed by Console /v1/providers), online (of those, reachable), "
               + "audited (online and audited).")
    }
}
