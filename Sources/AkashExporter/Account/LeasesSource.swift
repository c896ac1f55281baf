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

    static let declaration = SourceDeclaration(
        name: "akash_leases", api: .chainREST,
        endpoints: [.init(path, recordedBody: "e2e/chain-leases.json"),
                    .init(path, query: "pagination.key=bGVhc2VzLXBhZ2UtMg==", recordedBody: "e2e/chain-leases-page2.json")],
        summary: "chain REST active leases of each owner (all pages)", schedule: "1 min",
        intervalFlag: "akash.account-interval", timeoutFlag: "akash.rest-timeout",
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

    var name: String { Self.declaration.name }
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
