import ExporterKit
import FoundationEssentials

/// `akash_bids`: the winning bids of each watched owner, from
/// `GET /akash/market/v1beta5/bids/list?filters.owner=OWNER&filters.state=active`, all pages, on the leases'
/// schedule. A lease holds no resources; its winning bid's `resources_offer` names the GPUs the provider gave
/// (the GPU price check joins the two on their shared id).
struct BidsSource: PolledSource {
    static let declaration = SourceDeclaration(
        name: "akash_bids", api: .chainREST,
        // The plain path, as for the owner's leases: the provider's bids are bound to its address.
        endpoints: [.init(ChainREST.bidsPath, recordedBody: "e2e/chain-bids.json")],
        summary: "chain REST winning (active) bids of each owner (all pages): which GPUs each lease rents",
        schedule: "1 min", intervalFlag: AccountConfig.intervalFlag.name, timeoutFlag: AccountConfig.timeoutFlag.name,
        // No winning bid known: no lease has GPU series (the lease prices do not depend on bids).
        recorded: .init(series: ["akash_lease_gpu"],
                        emptyBody: #"{"bids":[],"pagination":{"next_key":null,"total":"0"}}"#,
                        emptyAnswer: .valid([]), flags: AccountArea.recordedFlags))

    var name: String { Self.declaration.name }
    let interval: Double
    let chain: ChainREST
    let bids: PerOwner<[BidID: Bid]>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await bids.refresh(now: context.now) { owner throws(SourceFailure) in
            let active = try await chain.bids(of: owner, side: .owner, state: "active", context: context)
            // A repeated id (only a broken server) keeps the last one.
            return Dictionary(active.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        }
    }
}
