import ExporterKit
import Exposition
import FoundationEssentials

/// Builds the tenant-cost families from the last good leases, deployments and block height.
///
/// Prices are applied here, at collect time, with the AKT price the market area holds right now: the order in
/// which sources are polled does not matter, and a price that arrives later fills the `uakt` samples in on the
/// next render. Each owner's data ages on its own; an amount that cannot be priced gives no USD sample while
/// everything else is still exported.
///
/// Series count: one per active lease for `akash_lease_price_usd_per_hour`, a few per active deployment, a few
/// per owner. Watching an account with thousands of leases means thousands of series.
struct AccountCollector: MetricsCollector {
    let leases: PerAddress<[ActiveLease]>
    let deployments: PerAddress<ActiveDeployments>
    let latestHeight: LastGood<Int64>
    let blockTime: BlockTime
    let aktPrice: AKTPrice

    func collect(now: Date) -> [MetricFamily] {
        var families = AccountFamilies(blockTime: blockTime.seconds(at: now))
        let pricing = DenomPricing(aktPriceUSD: aktPrice.usd(at: now))
        let height = latestHeight.value(now: now)
        for owner in leases.addresses {
            let ownerLeases = leases.value(for: owner, now: now)
            let ownerDeployments = deployments.value(for: owner, now: now)
            families.add(owner: owner, leases: ownerLeases, deployments: ownerDeployments?.escrows, height: height, pricing: pricing)
            families.addStates(owner: owner, leases: ownerLeases, deployments: ownerDeployments)
        }
        return families.all
    }
}

/// The families of the account area and how one owner's data fills them. Pure: the same inputs give the same
/// samples.
struct AccountFamilies {
    let blockTime: Double
    var leasePrice: MetricFamily
    var accountSpend: MetricFamily
    var activeLeases: MetricFamily
    var deploymentSpend: MetricFamily
    var deploymentSpendPerBlock: MetricFamily
    var escrowBalance: MetricFamily
    var escrowBalanceDenom: MetricFamily
    var runway: MetricFamily
    var leaseInfo: MetricFamily
    var reclamationDeadline: MetricFamily
    var reclamationWindow: MetricFamily
    var escrowTransferred: MetricFamily
    var openGroups: MetricFamily

    init(blockTime: Double) {
        self.blockTime = blockTime
        let perBlockTime = Self.perBlockTime(blockTime)
        leasePrice = .gauge("akash_lease_price_usd_per_hour",
                            "What each active lease costs in USD per hour, \(perBlockTime). Absent for uakt leases while no AKT price is known.")
        accountSpend = .gauge("akash_account_spend_usd_per_hour",
                              "Sum over the owner's active leases in USD per hour, \(perBlockTime).")
        activeLeases = .gauge("akash_account_active_leases", "Active leases of the owner.")
        deploymentSpend = .gauge("akash_deployment_spend_usd_per_hour",
                                 "Sum over the deployment's active leases in USD per hour, \(perBlockTime).")
        deploymentSpendPerBlock = .gauge("akash_deployment_spend_per_block",
                                         "Sum of the deployment's active lease prices per block, in micro-units of the denom (uact, uakt).")
        escrowBalance = .gauge("akash_deployment_escrow_balance_usd",
                               "Escrow left now in USD: funds at the last settlement minus the blocks since then times the rate per block, not below 0.")
        escrowBalanceDenom = .gauge("akash_deployment_escrow_balance",
                                    "Escrow left now in micro-units of the denom (uact, uakt), not below 0.")
        runway = .gauge("akash_deployment_escrow_runway_seconds",
                        "Time until the deployment's escrow runs dry at its current rate, \(perBlockTime). Absent when no lease is paying.")
        leaseInfo = .gauge("akash_lease_info",
                           "1 for each open lease of the owner, by state: active, reclaiming (the provider gave notice; it still "
                            + "pays until closed) or insufficient_funds (the escrow ran dry; it no longer pays).")
        reclamationDeadline = .gauge("akash_lease_reclamation_deadline_timestamp_seconds",
                                     "When the provider may close a reclaiming lease (unix seconds); it keeps running, and paying, until closed.")
        reclamationWindow = .gauge("akash_lease_reclamation_window_seconds",
                                   "The notice the provider gives before closing the lease, when its winning bid offered one.")
        escrowTransferred = .counter("akash_deployment_escrow_transferred_total",
                                     "What the deployment's escrow has paid out to providers so far (escrow_account.state.transferred), "
                                        + "in micro-units of the denom (uact, uakt).")
        openGroups = .gauge("akash_deployment_open_groups",
                            "Groups of the deployment still waiting for a bid while its escrow is locked: in state open with "
                                + "no active or reclaiming lease (paused and closed groups do not count).")
    }

    /// The per-hour and runway figures depend on the assumed block time; HELP says which one.
    static func perBlockTime(_ blockTime: Double) -> String {
        "at \(DurationParser.format(blockTime)) per block (--akash.block-time; "
            + "6s is the average block time the Akash Console API uses)"
    }

    var all: [MetricFamily] {
        [leasePrice, accountSpend, activeLeases, deploymentSpend, deploymentSpendPerBlock, escrowBalance,
         escrowBalanceDenom, runway, leaseInfo, reclamationDeadline, reclamationWindow, escrowTransferred, openGroups]
    }

    /// Adds one owner's samples. Lease figures need the leases; escrow figures need the leases (for the rate),
    /// the deployments and the height, all fresh.
    /// Only the leases that pay (`active`, `reclaiming`) are spend and drain the escrow.
    mutating func add(owner: String, leases: [ActiveLease]?, deployments: [DeploymentEscrow]?, height: Int64?,
                      pricing: DenomPricing) {
        guard let leases = leases?.filter(\.isPaying) else { return }
        let spend = OwnerSpend(leases)
        activeLeases.add(Double(leases.count { $0.state == "active" }), ["owner": owner])
        accountSpend.add(spend.total.flatMap { pricing.usdPerHour(perBlock: $0, blockTime: blockTime) }, ["owner": owner])
        for lease in leases {
            leasePrice.add(pricing.usdPerHour(perBlock: lease.price.amount, of: lease.price.denom, blockTime: blockTime),
                           ["owner": owner, "dseq": lease.dseq, "gseq": String(lease.gseq), "oseq": String(lease.oseq),
                            "provider": lease.provider])
        }
        for dseq in spend.deployments {
            addSpend(owner: owner, dseq: dseq, rate: spend.rate(of: dseq), pricing: pricing)
        }
        guard let deployments, let height else { return }
        for escrow in deployments {
            let rate = spend.rate(of: escrow.dseq)
            // An active deployment without an active lease (waiting for bids) costs nothing per hour.
            if rate?.isEmpty == true { addSpend(owner: owner, dseq: escrow.dseq, rate: rate, pricing: pricing) }
            guard let rate else { continue }
            let projection = EscrowProjection.project(escrow, ratePerBlock: rate, height: height)
            escrowBalance.add(pricing.usd(projection.left), ["owner": owner, "dseq": escrow.dseq])
            for (denom, left) in projection.left {
                escrowBalanceDenom.add(left.doubleValue, ["owner": owner, "dseq": escrow.dseq, "denom": denom])
            }
            runway.add(projection.runwayBlocks.map { $0 * blockTime }, ["owner": owner, "dseq": escrow.dseq])
        }
    }

    /// Adds one owner's lease states, reclamation notices, what each deployment paid and the groups waiting for a
    /// bid. The open groups need the leases too: a leased group stays `open` on the chain.
    mutating func addStates(owner: String, leases: [ActiveLease]?, deployments: ActiveDeployments?) {
        for lease in leases ?? [] {
            let labels = [Label("owner", owner), Label("dseq", lease.dseq), Label("gseq", String(lease.gseq)),
                          Label("oseq", String(lease.oseq)), Label("provider", lease.provider)]
            leaseInfo.add(1, labels: labels + [Label("state", lease.state)])
            guard let reclamation = lease.reclamation else { continue }
            reclamationWindow.add(reclamation.window, labels: labels)
            if lease.state == "reclaiming", let deadline = reclamation.deadline {
                reclamationDeadline.add(Double(deadline), labels: labels)
            }
        }
        guard let deployments else { return }
        for escrow in deployments.escrows {
            for (denom, amount) in escrow.transferred.sorted(by: { $0.key < $1.key }) {
                escrowTransferred.add(amount.doubleValue, ["owner": owner, "dseq": escrow.dseq, "denom": denom])
            }
        }
        guard let leases else { return }
        let leased = Set(leases.filter(\.isPaying).map { GroupKey(dseq: $0.dseq, gseq: $0.gseq) })
        for (dseq, groups) in deployments.openGroups.sorted(by: { $0.key < $1.key }) {
            let waiting = groups.count { !leased.contains(GroupKey(dseq: dseq, gseq: $0)) }
            openGroups.add(Double(waiting), ["owner": owner, "dseq": dseq])
        }
    }

    private mutating func addSpend(owner: String, dseq: String, rate: Coins?, pricing: DenomPricing) {
        deploymentSpend.add(rate.flatMap { pricing.usdPerHour(perBlock: $0, blockTime: blockTime) }, ["owner": owner, "dseq": dseq])
        for (denom, amount) in rate ?? [:] {
            deploymentSpendPerBlock.add(amount.doubleValue, ["owner": owner, "dseq": dseq, "denom": denom])
        }
    }
}
