import ExporterKit
import FoundationEssentials

/// `akash_deployments`: the escrow account and the group specs of every active deployment of each owner, from
/// `GET /akash/deployment/v1beta4/deployments/list?filters.owner=OWNER&filters.state=active`, all pages.
/// The list embeds each deployment's `escrow_account` and `groups`, so no per-deployment request is needed.
struct DeploymentsSource: PolledSource {
    static let path = "/akash/deployment/v1beta4/deployments/list"

    static let declaration = SourceDeclaration(
        name: "akash_deployments", api: .chainREST, endpoints: [.init(path, recordedBody: "e2e/chain-deployments.json")],
        summary: "chain REST active deployments and their escrow of each owner (all pages)", schedule: "1 min",
        intervalFlag: AccountConfig.intervalFlag.name, timeoutFlag: AccountConfig.timeoutFlag.name,
        // No active deployment: no escrow series.
        recorded: .init(series: ["akash_deployment_escrow_"],
                        emptyBody: #"{"deployments":[],"pagination":{"next_key":null,"total":"0"}}"#,
                        emptyAnswer: .valid([]), flags: AccountArea.recordedFlags))

    var name: String { Self.declaration.name }
    let interval: Double
    let chain: ChainREST
    let deployments: PerOwner<ActiveDeployments>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await deployments.refresh(now: context.now) { owner throws(SourceFailure) in
            let entries = try await chain.fetchAllPages(DeploymentsPage.self, Self.path,
                                                        query: [("filters.owner", owner), ("filters.state", "active")],
                                                        what: "deployments of \(owner)", context: context)
            var escrows: [DeploymentEscrow] = []
            escrows.reserveCapacity(entries.count)
            var groupGPUs: [GroupKey: [GPUUnit]] = [:]
            for entry in entries where entry.deployment.state == "active" {
                for group in entry.groups ?? [] {
                    guard let gseq = group.gseq, let units = group.gpuUnits else { continue }
                    groupGPUs[GroupKey(dseq: entry.deployment.id.dseq, gseq: gseq)] = units
                }
                guard let escrow = entry.escrowAccount?.state else { continue }
                var funds: Coins = [:]
                for coin in escrow.funds where !funds.add(coin.amount, of: coin.denom) {
                    throw SourceFailure(.decode, "deployments of \(owner): escrow funds of \(entry.deployment.id.dseq) overflow")
                }
                escrows.append(DeploymentEscrow(dseq: entry.deployment.id.dseq, funds: funds,
                                                settledAt: escrow.settledAt.value, overdrawn: escrow.state == "overdrawn"))
            }
            return ActiveDeployments(escrows: escrows, groupGPUs: groupGPUs)
        }
    }
}

/// The parts of `QueryDeploymentsResponse` the exporter uses.
struct DeploymentsPage: ChainPage {
    struct Entry: Decodable, Sendable {
        let deployment: Deployment
        let groups: [Group]?
        let escrowAccount: EscrowAccount?

        enum CodingKeys: String, CodingKey {
            case deployment, groups
            case escrowAccount = "escrow_account"
        }
    }

    /// A deployment group: only its GPU units are read (the GPU price check's fallback for bids without an offer).
    /// A group the exporter cannot read is left out (nil) rather than failing the poll: the escrow figures do not
    /// depend on it.
    struct Group: Decodable, Sendable {
        struct ID: Decodable, Sendable {
            let gseq: JSONInteger
        }

        struct Spec: Decodable, Sendable {
            let resources: [ResourceUnit]
        }

        let gseq: Int64?
        let gpuUnits: [GPUUnit]?

        enum CodingKeys: String, CodingKey {
            case id
            case groupSpec = "group_spec"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            gseq = (try? container.decode(ID.self, forKey: .id))?.gseq.value
            gpuUnits = (try? container.decode(Spec.self, forKey: .groupSpec))?.resources.map(\.gpu)
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

/// What the deployments list says about one owner's active deployments.
struct ActiveDeployments: Sendable, Equatable {
    var escrows: [DeploymentEscrow]
    /// The GPU units of each group, by deployment and group sequence.
    var groupGPUs: [GroupKey: [GPUUnit]]
}
