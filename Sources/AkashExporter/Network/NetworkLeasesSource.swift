import ExporterKit
import FoundationEssentials

/// `akash_network_leases`: every lease of the network that pays, from
/// `GET /akash/market/v1beta5/leases/list?filters.state=active`, then `filters.state=reclaiming` (a lease whose
/// provider started reclaiming it still pays), every page. Both lists are stored together, as one poll's view.
/// Also makes the paid-price index collector, which joins them to `akash_network_bids`.
struct NetworkLeasesSource: PolledSource {
    static let states = ["active", "reclaiming"]

    static let declaration = Source(
        name: "akash_network_leases", api: .chainREST, endpoints: [.init(LeasesPage.path)],
        summary: "chain REST active and reclaiming leases of the whole network (all pages): what each lease pays",
        schedule: "30 min", intervalFlag: NetworkConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let book = PaidIndexBook.of(setup), let config = setup[NetworkArea.self] else { return nil }
        let source = NetworkLeasesSource(interval: config.interval, pageSize: config.pageSize,
                                         chain: ChainREST(baseURL: config.restURL, timeout: config.timeout), book: book)
        return MadeSource(source, collectors: [PaidIndexCollector(book: book, gpuMarket: setup.shared.gpuMarket)])
    }

    var name: String { "akash_network_leases" }
    let interval: Double
    let pageSize: Int
    let chain: ChainREST
    let book: PaidIndexBook

    func poll(_ context: PollContext) async throws(SourceFailure) {
        var leases: [ActiveLease] = []
        var seen: Set<BidID> = []
        for state in Self.states {
            // A lease that turned reclaiming between the two lists is in both: counted once.
            for lease in try await chain.networkLeases(state: state, pageLimit: pageSize, context: context)
            where seen.insert(lease.bidID).inserted {
                leases.append(lease)
            }
        }
        book.leases.set(NetworkLeases(leases), at: context.now)
    }
}
