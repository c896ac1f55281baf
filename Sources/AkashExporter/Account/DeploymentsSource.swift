import ExporterKit
import FoundationEssentials

/// `akash_deployments`: the escrow account and the group specs of every active deployment of each owner, from
/// `GET /akash/deployment/v1beta4/deployments/list?filters.owner=OWNER&filters.state=active`, all pages.
/// The list embeds each deployment's `escrow_account` and `groups`, so no per-deployment request is needed.
struct DeploymentsSource: PolledSource {
    static let path = "/akash/deployment/v1beta4/deployments/list"

    static let declaration = Source(
        name: "akash_deployments", api: .chainREST, endpoints: [.init(path)],
        summary: "chain REST active deployments and their escrow of each owner (all pages)", schedule: "1 min",
        intervalFlag: ChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let tenant = TenantBoxes.of(setup) else { return nil }
        let config = tenant.config
        return MadeSource(DeploymentsSource(interval: config.interval, chain: ChainREST(baseURL: config.restURL, timeout: config.timeout),
                                            deployments: tenant.deployments))
    }

    var name: String { "akash_deployments" }
    let interval: Double
    let chain: ChainREST
    let deployments: PerAddress<ActiveDeployments>

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await deployments.refresh(now: context.now) { owner throws(SourceFailure) in
            let entries = try await chain.fetchAllPages(DeploymentsPage.self, Self.path,
                                                        query: [("filters.owner", owner), ("filters.state", "active")],
                                                        what: "deployments of \(owner)", context: context)
            var escrows: [DeploymentEscrow] = []
            escrows.reserveCapacity(entries.count)
            var groupGPUs: [GroupKey: [GPUUnit]] = [:]
            var openGroups: [String: [Int64]] = [:]
            for entry in entries where entry.deployment.state == "active" {
                let dseq = entry.deployment.id.dseq
                openGroups[dseq] = (entry.groups ?? []).compactMap { $0.state == "open" ? $0.gseq : nil }
                for group in entry.groups ?? [] {
                    guard let gseq = group.gseq, let units = group.gpuUnits else { continue }
                    groupGPUs[GroupKey(dseq: dseq, gseq: gseq)] = units
                }
                guard let escrow = entry.escrowAccount?.state else { continue }
                var funds: Coins = [:]
                for coin in escrow.funds where !funds.add(coin.amount, of: coin.denom) {
                    throw SourceFailure(.decode, "deployments of \(owner): escrow funds of \(entry.deployment.id.dseq) overflow")
                }
                var transferred: Coins = [:]
                for coin in escrow.transferred ?? [] where !transferred.add(coin.amount, of: coin.denom) {
                    throw SourceFailure(.decode, "deployments of \(owner): escrow transferred of \(entry.deployment.id.dseq) overflows")
                }
                escrows.append(DeploymentEscrow(dseq: entry.deployment.id.dseq, funds: funds,
                                                settledAt: escrow.settledAt.value, overdrawn: escrow.state == "overdrawn",
                                                transferred: transferred))
            }
            return ActiveDeployments(escrows: escrows, groupGPUs: groupGPUs, openGroups: openGroups)
        }
    }
}

/// What the deployments list says about one owner's active deployments.
struct ActiveDeployments: Sendable, Equatable {
    var escrows: [DeploymentEscrow]
    /// The GPU units of each group, by deployment and group sequence.
    var groupGPUs: [GroupKey: [GPUUnit]]
    /// The group sequences in state `open` of each active deployment (leased or not: a leased group stays open);
    /// every active deployment has an entry, empty when none is open.
    var openGroups: [String: [Int64]] = [:]
}
