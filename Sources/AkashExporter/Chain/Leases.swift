import ExporterKit
import FoundationEssentials

/// One active lease: its id (tenant, deployment, group, order, provider, bid sequence) and its price per block.
public struct ActiveLease: Sendable, Equatable {
    /// The tenant.
    public var owner: String
    public var dseq: String
    public var gseq: Int64
    public var oseq: Int64
    public var provider: String
    /// The provider's bid sequence on the order (market v1beta5); 0 when the chain did not say.
    public var bseq: Int64
    public var price: DecCoin

    public init(owner: String, dseq: String, gseq: Int64, oseq: Int64, provider: String, bseq: Int64 = 0, price: DecCoin) {
        self.owner = owner
        self.dseq = dseq
        self.gseq = gseq
        self.oseq = oseq
        self.provider = provider
        self.bseq = bseq
        self.price = price
    }
}

extension ChainREST {
    /// Every active lease of `address` (a tenant or a provider, per `side`), all pages.
    func activeLeases(of address: String, side: Side, context: PollContext) async throws(SourceFailure) -> [ActiveLease] {
        // The filter is the server's job; checking the state again keeps a mirror that ignores it from
        // billing closed leases.
        try await fetchAllPages(LeasesPage.self, LeasesPage.path,
                                query: [(side.filter, address), ("filters.state", "active")],
                                what: "leases of \(address)", context: context) { entry in
            let lease = entry.lease
            guard lease.state == "active" else { return nil }
            return ActiveLease(owner: lease.id.owner, dseq: lease.id.dseq, gseq: lease.id.gseq.value,
                               oseq: lease.id.oseq.value, provider: lease.id.provider,
                               bseq: lease.id.bseq?.value ?? 0, price: lease.price)
        }
    }
}

/// The parts of `QueryLeasesResponse` the exporter uses; `escrow_payment` is left undecoded.
struct LeasesPage: ChainPage {
    static let path = "/akash/market/v1beta5/leases/list"

    struct Entry: Decodable, Sendable {
        let lease: Lease
    }

    struct Lease: Decodable, Sendable {
        let id: LeaseID
        let state: String
        let price: DecCoin
    }

    struct LeaseID: Decodable, Sendable {
        let owner: String
        let dseq: String
        let gseq: JSONInteger
        let oseq: JSONInteger
        let provider: String
        /// Absent before market v1beta5.
        let bseq: JSONInteger?
    }

    let leases: [Entry]
    let pagination: PageResponse?

    var items: [Entry] { leases }
}
