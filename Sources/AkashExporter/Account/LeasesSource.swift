import ExporterKit
import Foundation

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

/// Every active lease of each watched address, from
/// `GET /akash/market/v1beta5/leases/list?filters.<side>=ADDRESS&filters.state=active`, all pages. One type serves
/// both sides of a lease: `akash_leases` (a tenant's, `filters.owner`) and `akash_provider_leases` (a provider's,
/// `filters.provider`).
struct LeasesSource: PolledSource {
    static let path = "/akash/market/v1beta5/leases/list"

    /// Which side of the lease the watched addresses are.
    enum Side: String, Sendable {
        case owner, provider

        var filter: String { "filters.\(rawValue)" }
    }

    let name: String
    let side: Side
    let interval: Double
    let chain: ChainREST
    let leases: PerOwner<[ActiveLease]>

    init(name: String, side: Side, interval: Double, chain: ChainREST,
         leases: PerOwner<[ActiveLease]>) {
        self.name = name
        self.side = side
        self.interval = interval
        self.chain = chain
        self.leases = leases
    }

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await leases.refresh(now: context.now) { address throws(SourceFailure) in
            let entries = try await chain.fetchAllPages(LeasesPage.self, Self.path,
                                                        query: [(side.filter, address), ("filters.state", "active")],
                                                        what: "leases of \(address)", context: context)
            // The filter is the server's job; checking the state again keeps a mirror that ignores it from
            // billing closed leases.
            return entries.compactMap { entry in
                let lease = entry.lease
                guard lease.state == "active" else { return nil }
                return ActiveLease(owner: lease.id.owner, dseq: lease.id.dseq, gseq: lease.id.gseq.value,
                                   oseq: lease.id.oseq.value, provider: lease.id.provider,
                                   bseq: lease.id.bseq?.value ?? 0, price: lease.price)
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
