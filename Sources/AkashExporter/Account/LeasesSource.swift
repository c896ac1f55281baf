import ExporterKit
import FoundationEssentials

/// Every open lease of each watched address, from
/// `GET /akash/market/v1beta5/leases/list?filters.<side>=ADDRESS&filters.state=STATE`, for `active`, `reclaiming` and
/// `insufficient_funds`, all pages of each (`active` alone leaves out the leases a provider is reclaiming, which
/// still pay, and those whose escrow ran dry, which the tenant most needs to see). One poller
/// serves both sides of a lease: `akash_leases` (a tenant's, declared here) and `akash_provider_leases` (a
/// provider's, declared in `Provider/`).
struct LeasesSource: PolledSource {
    /// Also makes the tenant's collectors, which need the leases first: spend, escrow and runway, and the GPU
    /// price check of each lease (with the winning bids and the deployments' groups).
    static let ownerLeases = Source(
        name: "akash_leases", api: .chainREST, endpoints: [.init(LeasesPage.path)],
        summary: "chain REST active, reclaiming and insufficient_funds leases of each owner (all pages of each)", schedule: "1 min",
        intervalFlag: ChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let tenant = TenantBoxes.of(setup) else { return nil }
        let config = tenant.config
        let source = LeasesSource(name: "akash_leases", side: .owner, interval: config.interval,
                                  chain: ChainREST(baseURL: config.restURL, timeout: config.timeout), leases: tenant.leases,
                                  polled: setup.shared.paidLeases)
        let shared = setup.shared
        let owners = config.owners, boxes = tenant.leases
        // Paid only: an overdrawn lease (insufficient_funds) costs nothing, so its provider's probe is no lease's alert.
        shared.paidLeases.feed { now in owners.flatMap { boxes.value(for: $0, now: now) ?? [] }.filter(\.isPaying) }
        return MadeSource(source, collectors: [
            AccountCollector(leases: tenant.leases, deployments: tenant.deployments, latestHeight: ChainHead.of(setup).height,
                             blockTime: shared.blockTime, aktPrice: shared.aktPrice),
            LeaseGPUCollector(leases: tenant.leases, bids: tenant.bids, deployments: tenant.deployments,
                              blockTime: shared.blockTime, aktPrice: shared.aktPrice, gpuMarket: shared.gpuMarket,
                              paidMarket: shared.paidMarket),
        ])
    }

    let name: String
    let side: ChainREST.Side
    let interval: Double
    let chain: ChainREST
    let leases: PerAddress<[ActiveLease]>
    /// Told when a poll ends (the tenant's side only): the reachability view's first round waits for it.
    var polled: PaidLeases?

    func poll(_ context: PollContext) async throws(SourceFailure) {
        defer { polled?.polled() }
        try await leases.refresh(now: context.now) { address throws(SourceFailure) in
            try await chain.openLeases(of: address, side: side, context: context)
        }
    }
}
