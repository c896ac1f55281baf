import ExporterKit
import Foundation

/// `akash_deployments`: the escrow account of every active deployment of each owner, from
/// `GET /akash/deployment/v1beta4/deployments/list?filters.owner=OWNER&filters.state=active`, all pages.
/// The list embeds each deployment's `escrow_account`, so no per-deployment request is needed.
struct DeploymentsSource: PolledSource {
    static let path = "/akash/deployment/v1beta4/deployments/list"

    static let declaration = SourceDeclaration(
        name: "akash_deployments", api: .chainREST, endpoints: [.init(path, recordedBody: "e2e/chain-deployments.json")],
        summary: "chain REST active deployments and their escrow of each owner (all pages)", schedule: "1 min",
        intervalFlag: "akash.account-interval", timeoutFlag: "akash.rest-timeout",
        // No active deployment: no escrow series.
        recorded: .init(series: ["akash_deployment_escrow_"],
                        emptyBody: #"{"deployments":[],"pagination":{"next_key":null,"total":"0"}}"#,
                        emptyAnswer: .valid([]), flags: AccountArea.recordedFlags))

    var name: String { Self.declaration.name }
    let interval: Double
    let chain: ChainREST
    let deployments: PerOwner<[DeploymentEscrow]>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await deployments.refresh(now: context.now) { owner throws(SourceFailure) in
            let entries = try await chain.fetchAllPages(DeploymentsPage.self, Self.path,
                                                        query: [("filters.owner", owner), ("filters.state", "active")],
                                                        what: "deployments of \(owner)", context: context)
            var escrows: [DeploymentEscrow] = []
            escrows.reserveCapacity(entries.count)
            for entry in entries where entry.deployment.state == "active" {
                guard let escrow = entry.escrowAccount?.state else { continue }
                var funds: Coins = [:]
                for coin in escrow.funds where !funds.add(coin.amount, of: coin.denom) {
                    throw SourceFailure(.decode, "deployments of \(owner): escrow funds of \(entry.deployment.id.dseq) overflow")
                }
                escrows.append(DeploymentEscrow(dseq: entry.deployment.id.dseq, funds: funds,
                                                settledAt: escrow.settledAt.value, overdrawn: escrow.state == "overdrawn"))
            }
            return escrows
        }
    }
}

/// The parts of `QueryDeploymentsResponse` the exporter uses; `groups` is left undecoded.
struct DeploymentsPage: ChainPage {
    struct Entry: Decodable, Sendable {
        let deployment: Deployment
        let escrowAccount: EscrowAccount?

        enum CodingKeys: String, CodingKey {
            case deployment
            case escrowAccount = "escrow_account"
        }
    }

    struct Deployment: Decodable, Sendable {
        struct ID: Decodable, Sendable {
            let dseq: String
        }

        let id: ID
        let state: String
    }

    struct EscrowAccount: Decodable, Sendable {
        let state: EscrowState
    }

    /// `akash.escrow.types.v1.AccountState`: `funds` is what is left as of `settled_at`.
    struct EscrowState: Decodable, Sendable {
        let state: String
        let funds: [DecCoin]
        let settledAt: JSONInteger

        enum CodingKeys: String, CodingKey {
            case state, funds
            case settledAt = "settled_at"
        }
    }

    let deployments: [Entry]
    let pagination: PageResponse?

    var items: [Entry] { deployments }
}
