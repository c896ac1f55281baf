import ExporterKit
import Foundation

/// One active lease of a watched owner: which deployment, group, order and provider, and its price per block.
public struct ActiveLease: Sendable, Equatable {
    public var dseq: String
    public var gseq: Int64
    public var oseq: Int64
    public var provider: String
    public var price: DecCoin

    public init(dseq: String, gseq: Int64, oseq: Int64, provider: String, price: DecCoin) {
        self.dseq = dseq
        self.gseq = gseq
        self.oseq = oseq
        self.provider = provider
        self.price = price
    }
}

/// `akash_leases`: every active lease of each owner, from
/// `GET /akash/market/v1beta5/leases/list?filters.owner=OWNER&filters.state=active`, all pages.
struct LeasesSource: PolledSource {
    static let path = "/akash/market/v1beta5/leases/list"

    let name = "akash_leases"
    let interval: Double
    let chain: ChainREST
    let leases: PerOwner<[ActiveLease]>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await leases.refresh(now: context.now) { owner throws(SourceFailure) in
            let entries = try await chain.fetchAllPages(LeasesPage.self, Self.path,
                                                        query: [("filters.owner", owner), ("filters.state", "active")],
                                                        what: "leases of \(owner)", context: context)
            // The filter is the server's job; checking the state again keeps a mirror that ignores it from
            // billing closed leases.
            return entries.compactMap { entry in
                let lease = entry.lease
                guard lease.state == "active" else { return nil }
                return ActiveLease(dseq: lease.id.dseq, gseq: lease.id.gseq.value, oseq: lease.id.oseq.value,
                                   provider: lease.id.provider, price: lease.price)
            }
        }
    }
}

/// The parts of `QueryLeasesResponse` the exporter uses; `escrow_payment` is left undecoded.
struct LeasesPage: ChainPage {
    struct Entry: Decodable, Sendable {
        let lease: Lease
    }

    struct Lease: Decodable, Sendable {
        let id: LeaseID
        let state: String
        let price: DecCoin
    }

    struct LeaseID: Decodable, Sendable {
        let dseq: String
        let gseq: JSONInteger
        let oseq: JSONInteger
        let provider: String
    }

    let leases: [Entry]
    let pagination: PageResponse?

    var items: [Entry] { leases }
}
