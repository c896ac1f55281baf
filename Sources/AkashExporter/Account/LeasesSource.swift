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

/// Every active lease of each watched address, from
/// `GET /akash/market/v1beta5/leases/list?filters.<side>=ADDRESS&filters.state=active`, all pages. One type serves
/// both sides of a lease: `akash_leases` (a tenant's, `filters.owner`) and `akash_provider_leases` (a provider's,
/// `filters.provider`).
struct LeasesSource: PolledSource {
    static let path = "/akash/market/v1beta5/leases/list"

    /// Which side of the lease the watched addresses are: each side is its own source.
    enum Side: String, Sendable {
        case owner, provider

        var filter: String { "filters.\(rawValue)" }

        var declaration: SourceDeclaration {
            switch self {
            case .owner: LeasesSource.ownerLeases
            case .provider: LeasesSource.providerLeases
            }
        }
    }

    static let ownerLeases = SourceDeclaration(
        name: "akash_leases", api: .chainREST,
        // The plain path: what a request for any other address gets (the provider's list is bound to its address).
        endpoints: [.init(path, recordedBody: "e2e/chain-leases.json"),
                    .init(path, query: "pagination.key=bGVhc2VzLXBhZ2UtMg==", recordedBody: "e2e/chain-leases-page2.json")],
        summary: "chain REST active leases of each owner (all pages)", schedule: "1 min",
        intervalFlag: AccountConfig.intervalFlag.name, timeoutFlag: AccountConfig.timeoutFlag.name,
        // A tenant with no active lease: zero leases and zero spend, no lease series; its active deployments
        // (waiting for bids) cost nothing, so their escrow stays whole and has no runway.
        recorded: .init(series: ["akash_lease_", "akash_account_", "akash_deployment_"],
                        emptyBody: #"{"leases":[],"pagination":{"next_key":null,"total":"0"}}"#,
                        emptyAnswer: .valid([
                            "akash_account_active_leases{owner=\"\(AccountArea.recordedOwner)\"} 0",
                            "akash_account_spend_usd_per_hour{owner=\"\(AccountArea.recordedOwner)\"} 0",
                            "akash_deployment_escrow_balance{owner=\"\(AccountArea.recordedOwner)\",dseq=\"27650002\",denom=\"uact\"} 150000000",
                            "akash_deployment_escrow_balance{owner=\"\(AccountArea.recordedOwner)\",dseq=\"27790001\",denom=\"uact\"} 20000000",
                            "akash_deployment_escrow_balance_usd{owner=\"\(AccountArea.recordedOwner)\",dseq=\"27650002\"} 150",
                            "akash_deployment_escrow_balance_usd{owner=\"\(AccountArea.recordedOwner)\",dseq=\"27790001\"} 20",
                            "akash_deployment_spend_usd_per_hour{owner=\"\(AccountArea.recordedOwner)\",dseq=\"27650002\"} 0",
                            "akash_deployment_spend_usd_per_hour{owner=\"\(AccountArea.recordedOwner)\",dseq=\"27790001\"} 0",
                        ]),
                        flags: AccountArea.recordedFlags))

    static let providerLeases = SourceDeclaration(
        name: "akash_provider_leases", api: .chainREST,
        endpoints: [.init(path, query: "filters.provider=\(ProviderArea.recordedProvider)",
                          recordedBody: "chain/provider-leases-page1.json"),
                    .init(path, query: "filters.provider=\(ProviderArea.recordedProvider)&pagination.key=cHJvdmlkZXIvbGVhc2VzLzI+/w==",
                          recordedBody: "chain/provider-leases-page2.json"),
                    .init(path, query: "filters.provider=\(ProviderArea.recordedProvider)&pagination.key=cHJvdmlkZXIvbGVhc2VzLzM/+w==",
                          recordedBody: "chain/provider-leases-page3.json")],
        summary: "chain REST active leases of each provider (all pages)", schedule: "1 min",
        intervalFlag: AccountConfig.intervalFlag.name, timeoutFlag: AccountConfig.timeoutFlag.name,
        recorded: .init(series: ["akash_provider_active_leases", "akash_provider_revenue_", "akash_provider_leased_gpus",
                                 "akash_provider_gpu_price_"],
                        emptyBody: #"{"leases":[],"pagination":{"next_key":null,"total":"0"}}"#,
                        emptyAnswer: .valid(["akash_provider_active_leases{provider=\"\(ProviderArea.recordedProvider)\"} 0",
                                             "akash_provider_revenue_usd_per_hour{provider=\"\(ProviderArea.recordedProvider)\"} 0"]),
                        flags: ProviderArea.recordedFlags))

    let side: Side
    let interval: Double
    let chain: ChainREST
    let leases: PerOwner<[ActiveLease]>

    var name: String { side.declaration.name }

    init(side: Side, interval: Double, chain: ChainREST, leases: PerOwner<[ActiveLease]>) {
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
