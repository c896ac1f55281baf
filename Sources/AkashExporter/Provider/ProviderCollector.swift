import ExporterKit
import Exposition
import FoundationEssentials

/// A watched provider's bids, as the last poll of `akash_provider_bids` found them, reduced once per poll so that
/// a render does not walk every bid again.
struct ProviderBids: Sendable, Equatable {
    /// What each winning bid offered, by bid id: which GPU model each active lease rents. Bids without a
    /// `resources_offer` are not in it.
    var activeOffers: [BidID: RentedGPUs]
    /// The bids waiting for the tenant.
    var open: ProviderOpenBids

    init(active: [Bid], open: [Bid]) {
        var offers: [BidID: RentedGPUs] = [:]
        offers.reserveCapacity(active.count)
        for bid in active {
            if let rented = bid.rentedGPUs { offers[bid.id] = rented }
        }
        activeOffers = offers
        self.open = ProviderOpenBids(open)
    }
}

/// Builds the provider families from the last good leases and bids of each watched provider.
///
/// As for a tenant, prices are applied at collect time with the AKT price and the network medians of that
/// moment, so poll order does not matter. Leases and bids age on their own: with fresh leases but stale bids, the
/// revenue is still exported and the per-GPU figures are not.
///
/// Series count: a few per provider plus a few per GPU model it rents out or bids on; not per lease.
struct ProviderCollector: MetricsCollector {
    let leases: PerAddress<[ActiveLease]>
    let bids: PerAddress<ProviderBids>
    let blockTime: BlockTime
    let aktPrice: AKTPrice
    /// The network median per GPU-hour of the `/v1/gpu-prices` row a model matches, nil when no single row does.
    let gpuMarket: GPUMarket
    /// The network's paid median per GPU-hour of exactly the offered model, nil while unknown.
    let paidMarket: PaidMarket

    func collect(now: Date) -> [MetricFamily] {
        var families = ProviderFamilies(blockTime: blockTime.seconds(at: now))
        let pricing = DenomPricing(aktPriceUSD: aktPrice.usd(at: now))
        let models = gpuMarket.models(at: now)
        let median: (GPUAttribute) -> Double? = { gpu in models.flatMap { MarketMatch.median(for: gpu, in: $0) } }
        let paidMedians = paidMarket.medians(at: now)
        for provider in leases.addresses {
            families.add(provider: provider, leases: leases.value(for: provider, now: now),
                         bids: bids.value(for: provider, now: now), pricing: pricing, median: median,
                         paid: { paidMedians?[$0] })
        }
        return families.all
    }
}

/// The families of a provider's own view and how one provider's data fills them. Pure: the same inputs give the
/// same samples, models in a fixed order.
struct ProviderFamilies {
    let blockTime: Double
    var activeLeases: MetricFamily
    var revenue: MetricFamily
    var revenuePerBlock: MetricFamily
    var leasedGPUs: MetricFamily
    var gpuPrice: MetricFamily
    var gpuPriceVsMarket: MetricFamily
    var gpuPriceVsPaid: MetricFamily
    var openBids: MetricFamily
    var openBidMin: MetricFamily
    var reclaimingLeases: MetricFamily
    var overdrawnLeases: MetricFamily
    var unwithdrawn: MetricFamily
    var unwithdrawnUSD: MetricFamily

    init(blockTime: Double) {
        self.blockTime = blockTime
        let perBlockTime = AccountFamilies.perBlockTime(blockTime)
        let byModel = "by the GPU model the winning bid offered (resources_offer)"
        activeLeases = .gauge("akash_provider_active_leases", "Active leases of the provider.")
        revenue = .gauge("akash_provider_revenue_usd_per_hour",
                         "Sum of the provider's active lease prices (CPU-only leases included) in USD per hour, \(perBlockTime). "
                            + "Absent while a uakt lease cannot be priced (no fresh AKT price).")
        revenuePerBlock = .gauge("akash_provider_revenue_per_block",
                                 "Sum of the provider's active lease prices per block, in micro-units of the denom (uact, uakt).")
        leasedGPUs = .gauge("akash_provider_leased_gpus", "GPUs the provider's active leases rent, \(byModel).")
        gpuPrice = .gauge("akash_provider_gpu_price_usd_per_gpu_hour",
                          "GPU-weighted average price per GPU-hour in USD of the provider's active single-model GPU leases, "
                            + "\(byModel): lease price (CPU, memory and storage included) divided by its GPUs, \(perBlockTime).")
        gpuPriceVsMarket = .gauge("akash_provider_gpu_price_vs_market_ratio",
                                  "akash_provider_gpu_price_usd_per_gpu_hour divided by the network median bid price of the "
                                    + "matching GPU model (Console /v1/gpu-prices); absent unless exactly one row of it matches.")
        gpuPriceVsPaid = .gauge("akash_provider_gpu_price_vs_paid_ratio",
                                "akash_provider_gpu_price_usd_per_gpu_hour divided by the median the network's leases of the same "
                                    + "offered model pay per GPU-hour (akash_gpu_paid_price_usd_per_gpu_hour{stat=\"median\"}); "
                                    + "absent while that is unknown.")
        openBids = .gauge("akash_provider_open_bids", "Open bids of the provider, waiting for the tenant (0 when there are none).")
        openBidMin = .gauge("akash_provider_open_bid_min_usd_per_gpu_hour",
                            "The provider's lowest open single-model bid per GPU-hour in USD, by offered GPU model, \(perBlockTime).")
        reclaimingLeases = .gauge("akash_provider_reclaiming_leases",
                                  "Leases the provider is reclaiming: notice given, still running and paid until it closes them.")
        overdrawnLeases = .gauge("akash_provider_overdrawn_leases",
                                 "Leases of the provider whose tenant's escrow ran dry (insufficient_funds): running unpaid.")
        unwithdrawn = .gauge("akash_provider_unwithdrawn",
                             "Earned and settled but not yet withdrawn, summed over the provider's open leases "
                                + "(escrow_payment.state.balance), in micro-units of the denom (uact, uakt).")
        unwithdrawnUSD = .gauge("akash_provider_unwithdrawn_usd",
                                "akash_provider_unwithdrawn in USD; absent while a part cannot be priced (a uakt balance without a fresh AKT price).")
    }

    var all: [MetricFamily] {
        [activeLeases, revenue, revenuePerBlock, leasedGPUs, gpuPrice, gpuPriceVsMarket, gpuPriceVsPaid, openBids, openBidMin,
         reclaimingLeases, overdrawnLeases, unwithdrawn, unwithdrawnUSD]
    }

    /// Adds one provider's samples: revenue needs its leases; the GPU figures need its leases and bids; the open
    /// bid figures need its bids.
    /// - Parameter paid: the network's paid median of an offered model, nil while unknown.
    mutating func add(provider: String, leases: [ActiveLease]?, bids: ProviderBids?, pricing: DenomPricing,
                      median: (GPUAttribute) -> Double?, paid: (GPUAttribute) -> Double? = { _ in nil }) {
        let providerLabel = [Label("provider", provider)]
        if let all = leases {
            addStates(provider: provider, leases: all, pricing: pricing)
        }
        // Revenue and the GPUs rented out are the leases that pay (active, reclaiming).
        let leases = leases?.filter(\.isPaying)
        if let leases {
            let earned = ProviderRevenue(leases)
            activeLeases.add(Double(leases.count { $0.state == "active" }), labels: providerLabel)
            revenue.add(earned.perBlock.flatMap { pricing.usdPerHour(perBlock: $0, blockTime: blockTime) }, labels: providerLabel)
            for (denom, amount) in (earned.perBlock ?? [:]).sorted(by: { $0.key < $1.key }) {
                revenuePerBlock.add(amount.doubleValue, labels: providerLabel + [Label("denom", denom)])
            }
        }
        guard let bids else { return }
        if let leases {
            let leased = ProviderLeasedGPUs(leases: leases, offers: bids.activeOffers)
            for model in Self.ordered(leased.gpus.keys) {
                let labels = Self.labels(provider, model)
                leasedGPUs.add(leased.gpus[model], labels: labels)
                let price = leased.priced[model]?.usdPerGPUHour(pricing, blockTime: blockTime)
                gpuPrice.add(price, labels: labels)
                gpuPriceVsMarket.add(price.flatMap { price in median(model).flatMap { $0 > 0 ? price / $0 : nil } }, labels: labels)
                gpuPriceVsPaid.add(price.flatMap { price in paid(model).flatMap { $0 > 0 ? price / $0 : nil } }, labels: labels)
            }
        }
        let open = bids.open
        openBids.add(Double(open.count), labels: providerLabel)
        for model in Self.ordered(open.cheapest.keys) {
            openBidMin.add(open.minUSDPerGPUHour(model, pricing, blockTime: blockTime), labels: Self.labels(provider, model))
        }
    }

    /// The leases being reclaimed or running unpaid, and what the provider may still withdraw from all of them.
    private mutating func addStates(provider: String, leases: [ActiveLease], pricing: DenomPricing) {
        let providerLabel = [Label("provider", provider)]
        reclaimingLeases.add(Double(leases.count { $0.state == "reclaiming" }), labels: providerLabel)
        overdrawnLeases.add(Double(leases.count { $0.state == "insufficient_funds" }), labels: providerLabel)
        var balance: Coins? = [:]
        for lease in leases {
            guard let coin = lease.unwithdrawn else { continue }
            if balance?.add(coin.amount, of: coin.denom) == false { balance = nil }
        }
        guard let balance else { return }
        for (denom, amount) in balance.sorted(by: { $0.key < $1.key }) {
            unwithdrawn.add(amount.doubleValue, labels: providerLabel + [Label("denom", denom)])
        }
        unwithdrawnUSD.add(pricing.usd(balance), labels: providerLabel)
    }

    static func ordered(_ models: some Sequence<GPUAttribute>) -> [GPUAttribute] {
        models.sorted { $0.description < $1.description }
    }

    static func labels(_ provider: String, _ model: GPUAttribute) -> [Label] {
        let values = model.labelValues
        return [Label("provider", provider), Label("vendor", values.vendor), Label("model", values.model),
                Label("ram", values.ram), Label("interface", values.interface)]
    }
}
