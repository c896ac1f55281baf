import ExporterKit
import FoundationEssentials

/// `akash_bids`: the winning bids of each watched owner, from
/// `GET /akash/market/v1beta5/bids/list?filters.owner=OWNER&filters.state=active`, all pages, on the leases'
/// schedule. A lease holds no resources; its winning bid's `resources_offer` names the GPUs the provider gave
/// (the GPU price check joins the two on their shared id).
struct BidsSource: PolledSource {
    static let declaration = Source(
        name: "akash_bids", api: .chainREST, endpoints: [.init(ChainREST.bidsPath)],
        summary: "chain REST winning (active) bids of each owner (all pages): which GPUs each lease rents",
        schedule: "1 min", intervalFlag: ChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let tenant = TenantBoxes.of(setup) else { return nil }
        let config = tenant.config
        return MadeSource(BidsSource(interval: config.interval, chain: ChainREST(baseURL: config.restURL, timeout: config.timeout),
                                     bids: tenant.bids))
    }

    var name: String { "akash_bids" }
    let interval: Double
    let chain: ChainREST
    let bids: PerAddress<[BidID: Bid]>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await bids.refresh(now: context.now) { owner throws(SourceFailure) in
            let active = try await chain.bids(of: owner, side: .owner, state: "active", context: context)
            // A repeated id (only a broken server) keeps the last one.
            return Dictionary(active.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        }
    }
}
