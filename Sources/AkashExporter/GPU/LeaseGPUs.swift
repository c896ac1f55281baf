import ExporterKit
import Exposition
import FoundationEssentials

/// A deployment group of an owner: where a lease's resources are specified.
struct GroupKey: Hashable, Sendable {
    var dseq: String
    var gseq: Int64
}

/// The per-GPU view of a tenant's leases: which GPUs each lease rents (its winning bid's offer, or the group spec
/// for an old bid without one), what it pays per GPU-hour, and that against the network median of the model.
///
/// Pure: the same leases, bids, groups, prices and medians give the same samples. A lease without its bid (the
/// bids source is down or stale, or the bid is not listed) has no GPU series; nor does one whose model is not
/// certain (never a guess), nor a CPU-only one. A mixed-model group gets its GPU count per model but no per-GPU
/// price, since the chain prices the group as a whole.
struct LeaseGPUFamilies {
    let blockTime: Double
    var gpus: MetricFamily
    var pricePerGPU: MetricFamily
    var vsMarket: MetricFamily
    var vsPaid: MetricFamily

    init(blockTime: Double) {
        self.blockTime = blockTime
        gpus = .gauge("akash_lease_gpus",
                      "GPUs each active lease rents, by the model its winning bid offered (or the group spec allowed, "
                      + "for bids without an offer); ram and interface as the offer gave them, empty when it did not.")
        pricePerGPU = .gauge("akash_lease_gpu_price_usd_per_gpu_hour",
                             "The lease's whole price in USD per hour (CPU, memory and storage included) / its GPUs, "
                             + "\(AccountFamilies.perBlockTime(blockTime)). Absent for mixed-model groups and uakt leases "
                             + "without an AKT price.")
        vsMarket = .gauge("akash_lease_gpu_price_vs_market_ratio",
                          "akash_lease_gpu_price_usd_per_gpu_hour / the network median bid per GPU-hour of the matching "
                          + "/v1/gpu-prices model (Akash Console). Absent when no single model matches or the median is unknown.")
        vsPaid = .gauge("akash_lease_gpu_price_vs_paid_ratio",
                        "akash_lease_gpu_price_usd_per_gpu_hour / the median the network's leases of the same offered model pay "
                        + "per GPU-hour (akash_gpu_paid_price_usd_per_gpu_hour{stat=\"median\"}). Absent while that is unknown.")
    }

    var all: [MetricFamily] { [gpus, pricePerGPU, vsMarket, vsPaid] }

    /// Adds one owner's leases.
    /// - Parameters:
    ///   - bids: the owner's active bids by id; nil while unknown (the lease GPU series go with them).
    ///   - groups: GPU units of the owner's active deployment groups; nil while unknown (no fallback then).
    ///   - market: `/v1/gpu-prices` rows; nil while unknown (no ratio then).
    ///   - paid: the network's paid medians by offered model; nil while unknown (no ratio against paid then).
    mutating func add(owner: String, leases: [ActiveLease], bids: [BidID: Bid]?, groups: [GroupKey: [GPUUnit]]?,
                      pricing: DenomPricing, market: [GPUPrices.GPUModel]?, paid: [GPUAttribute: Double]? = nil) {
        guard let bids else { return }
        for lease in leases {
            guard let bid = bids[lease.bidID] else { continue }
            guard let rented = bid.rentedGPUs ?? groups?[GroupKey(dseq: lease.dseq, gseq: lease.gseq)].map(RentedGPUs.init)
            else { continue }
            let leaseLabels = [Label("owner", owner), Label("dseq", lease.dseq), Label("gseq", String(lease.gseq)),
                               Label("oseq", String(lease.oseq)), Label("provider", lease.provider)]
            for model in rented.perModel {
                gpus.add(Double(model.gpus), labels: leaseLabels + Self.labels(model.model))
            }
            guard case .single(let model) = rented,
                  let usdPerHour = pricing.usdPerHour(perBlock: lease.price.amount, of: lease.price.denom, blockTime: blockTime)
            else { continue }
            let labels = leaseLabels + Self.labels(model.model)
            let perGPU = usdPerHour / Double(model.gpus)
            pricePerGPU.add(perGPU, labels: labels)
            // A median of 0 is no price at all (the Console writes 0 for models without usable bids).
            let median = market.flatMap { MarketMatch.median(for: model.model, in: $0) }.flatMap { $0 > 0 ? $0 : nil }
            vsMarket.add(median.map { perGPU / $0 }, labels: labels)
            vsPaid.add(paid?[model.model].flatMap { $0 > 0 ? perGPU / $0 : nil }, labels: labels)
        }
    }

    static func labels(_ model: GPUAttribute) -> [Label] {
        let values = model.labelValues
        return [Label("vendor", values.vendor), Label("model", values.model), Label("ram", values.ram),
                Label("interface", values.interface)]
    }
}

/// Builds the lease GPU families from the last good leases, bids and deployment groups of each owner, priced at
/// collect time with the AKT price and the network medians of that moment (as `AccountCollector` does).
struct LeaseGPUCollector: MetricsCollector {
    let leases: PerAddress<[ActiveLease]>
    let bids: PerAddress<[BidID: Bid]>
    let deployments: PerAddress<ActiveDeployments>
    let blockTime: BlockTime
    let aktPrice: AKTPrice
    let gpuMarket: GPUMarket
    let paidMarket: PaidMarket

    func collect(now: Date) -> [MetricFamily] {
        var families = LeaseGPUFamilies(blockTime: blockTime.seconds(at: now))
        let pricing = DenomPricing(aktPriceUSD: aktPrice.usd(at: now))
        let market = gpuMarket.models(at: now)
        let paid = paidMarket.medians(at: now)
        for owner in leases.addresses {
            // A lease whose escrow ran dry pays nothing: no price to check.
            guard let ownerLeases = leases.value(for: owner, now: now)?.filter(\.isPaying) else { continue }
            families.add(owner: owner, leases: ownerLeases, bids: bids.value(for: owner, now: now),
                         groups: deployments.value(for: owner, now: now)?.groupGPUs, pricing: pricing, market: market,
                         paid: paid)
        }
        return families.all
    }
}
