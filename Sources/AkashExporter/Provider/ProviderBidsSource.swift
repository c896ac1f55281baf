import ExporterKit
import FoundationEssentials

/// `akash_provider_bids`: each watched provider's bids, from
/// `GET /akash/market/v1beta5/bids/list?filters.provider=PROVIDER&filters.state=active`, all pages (the winning
/// bids: which GPU model each active lease rents), then the same with `filters.state=open` (bids waiting for
/// the tenant). Both lists are stored together, so the GPU figures never mix two polls' views of one provider.
struct ProviderBidsSource: PolledSource {
    static let path = ChainREST.bidsPath

    static let declaration = Source(
        name: "akash_provider_bids", api: .chainREST, endpoints: [.init(path)],
        summary: "chain REST active and open bids of each provider (all pages)", schedule: "1 min",
        intervalFlag: ChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let boxes = ProviderBoxes.of(setup) else { return nil }
        let config = boxes.config
        return MadeSource(ProviderBidsSource(interval: config.interval,
                                             chain: ChainREST(baseURL: config.restURL, timeout: config.timeout), bids: boxes.bids))
    }

    var name: String { "akash_provider_bids" }
    let interval: Double
    let chain: ChainREST
    let bids: PerAddress<ProviderBids>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await bids.refresh(now: context.now) { provider throws(SourceFailure) in
            ProviderBids(active: try await fetch(provider, state: "active", context),
                         open: try await fetch(provider, state: "open", context))
        }
    }

    private func fetch(_ provider: String, state: String, _ context: PollContext) async throws(SourceFailure) -> [Bid] {
        try await chain.bids(of: provider, side: .provider, state: state, context: context)
    }
}
