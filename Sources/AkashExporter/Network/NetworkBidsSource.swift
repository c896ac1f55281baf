import ExporterKit
import FoundationEssentials

/// `akash_network_bids`: every winning bid of the network, from
/// `GET /akash/market/v1beta5/bids/list?filters.state=active`, every page. A winning bid stays active while its
/// lease is active or reclaiming; its `resources_offer` names the GPUs the lease rents. Only the offers are kept.
struct NetworkBidsSource: PolledSource {
    static let declaration = Source(
        name: "akash_network_bids", api: .chainREST, endpoints: [.init(ChainREST.bidsPath)],
        summary: "chain REST winning (active) bids of the whole network (all pages): which GPU model each lease rents",
        schedule: "30 min", intervalFlag: NetworkConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let book = PaidIndexBook.of(setup), let config = setup[NetworkArea.self] else { return nil }
        return MadeSource(NetworkBidsSource(interval: config.interval, pageSize: config.pageSize,
                                            chain: ChainREST(baseURL: config.restURL, timeout: config.timeout), book: book))
    }

    var name: String { "akash_network_bids" }
    let interval: Double
    let pageSize: Int
    let chain: ChainREST
    let book: PaidIndexBook

    func poll(_ context: PollContext) async throws(SourceFailure) {
        let bids = try await chain.networkBids(state: "active", pageLimit: pageSize, context: context)
        book.offers.set(NetworkOffers(bids), at: context.now)
    }
}
