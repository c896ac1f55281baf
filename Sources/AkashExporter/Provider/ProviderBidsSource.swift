import ExporterKit
import FoundationEssentials

/// `akash_provider_bids`: each watched provider's bids, from
/// `GET /akash/market/v1beta5/bids/list?filters.provider=PROVIDER&filters.state=active`, all pages (the winning
/// bids: which GPU model each active lease rents), then the same with `filters.state=open` (bids waiting for
/// the tenant). Both lists are stored together, so the GPU figures never mix two polls' views of one provider.
struct ProviderBidsSource: PolledSource {
    static let path = ChainREST.bidsPath

    static let declaration = SourceDeclaration(
        name: "akash_provider_bids", api: .chainREST,
        endpoints: [.init(path, query: "filters.provider=\(ProviderArea.recordedProvider)&filters.state=active",
                          recordedBody: "chain/provider-bids-active.json"),
                    .init(path, query: "filters.provider=\(ProviderArea.recordedProvider)&filters.state=open",
                          recordedBody: "chain/provider-bids-open-page1.json"),
                    .init(path, query: "filters.provider=\(ProviderArea.recordedProvider)&filters.state=open"
                            + "&pagination.key=cHJvdmlkZXIvYmlkcy8y/+8=",
                          recordedBody: "chain/provider-bids-open-page2.json")],
        summary: "chain REST active and open bids of each provider (all pages)", schedule: "1 min",
        intervalFlag: AccountConfig.intervalFlag.name, timeoutFlag: AccountConfig.timeoutFlag.name,
        // No bid: no GPU figures, and no open bid is a count of 0.
        recorded: .init(series: ["akash_provider_leased_gpus", "akash_provider_gpu_price_", "akash_provider_open_bid"],
                        emptyBody: #"{"bids":[],"pagination":{"next_key":null,"total":"0"}}"#,
                        emptyAnswer: .valid(["akash_provider_open_bids{provider=\"\(ProviderArea.recordedProvider)\"} 0"]),
                        flags: ProviderArea.recordedFlags))

    var name: String { Self.declaration.name }
    let interval: Double
    let chain: ChainREST
    let bids: PerOwner<ProviderBids>

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
