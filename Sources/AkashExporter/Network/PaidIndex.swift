import ExporterKit
import Exposition
import FoundationEssentials
import Synchronization

// The paid-price index: what the network's running leases pay per GPU-hour, per offered GPU model. Leases are
// joined to their winning bids once per pair of polls (`PaidJoin`), priced at render time with the AKT price of
// that moment (`PaidIndex`), and cached until one of the three changes (`PaidIndexBook`). Pure but for the cache.

/// The network's paying leases (active, then reclaiming) as one poll of `akash_network_leases` found them. A class:
/// the cache recognises a poll's list by identity instead of comparing ten thousand leases.
final class NetworkLeases: Sendable {
    let leases: [ActiveLease]

    init(_ leases: [ActiveLease]) {
        self.leases = leases
    }
}

/// What each winning bid of the network offered, by bid id, as one poll of `akash_network_bids` found them; a bid
/// without a `resources_offer` is not in it.
final class NetworkOffers: Sendable {
    let offers: [BidID: RentedGPUs]

    init(_ bids: [Bid]) {
        var offers: [BidID: RentedGPUs] = [:]
        offers.reserveCapacity(bids.count)
        for bid in bids {
            if let rented = bid.rentedGPUs { offers[bid.id] = rented }
        }
        self.offers = offers
    }
}

/// How a running lease counts in the index; each lease is exactly one, tested in this order, so the kinds add up
/// to the network's running leases.
enum PaidKind: String, Sendable, CaseIterable {
    /// No winning bid listed, a bid without `resources_offer`, or an offer whose model is not certain (a wildcard, an
    /// unreadable attribute): nothing says which GPUs it rents.
    case noOffer = "no_offer"
    /// The offer rents no GPU.
    case cpu
    /// Several GPU models in one lease: one price for all of them, which cannot be split per model.
    case mixed
    /// One model, but its denom has no USD price now (uakt without an AKT price, an unknown denom).
    case unpriced
    /// One model, priced: its GPUs are samples of the index.
    case gpu
}

/// The network's leases joined to the offers of their winning bids on the full bid id (owner, dseq, gseq, oseq,
/// provider, bseq): every lease classified but for the price, the single-model ones kept per model.
struct PaidJoin: Sendable {
    /// A single-model lease: its whole price per block and the GPUs it rents.
    struct Lease: Sendable, Equatable {
        var price: DecCoin
        var gpus: Int64
    }

    var noOffer = 0
    var cpu = 0
    var mixed = 0
    var single: [GPUAttribute: [Lease]] = [:]

    init(leases: [ActiveLease], offers: [BidID: RentedGPUs]) {
        for lease in leases {
            switch offers[lease.bidID] {
            case nil, .unknown?: noOffer += 1
            case .none?: cpu += 1
            case .mixed?: mixed += 1
            case .single(let rented)?: single[rented.model, default: []].append(Lease(price: lease.price, gpus: rented.gpus))
            }
        }
    }
}

/// The index priced: per model the distribution of what its GPUs pay, and the lease count of each kind.
struct PaidIndex: Sendable, Equatable {
    /// One model's single-model leases.
    struct Model: Sendable, Equatable {
        /// GPUs and leases, priced or not.
        var gpus: Double
        var leases: Int
        /// Leases whose denom has no USD price now.
        var unpriced: Int
        /// nil when no lease of the model could be priced.
        var stats: Stats?
    }

    /// USD per GPU-hour over every priced GPU of the model (one sample per GPU at its lease's price per GPU).
    struct Stats: Sendable, Equatable {
        var min, p10, p25, median, p75, p90, max: Double
        /// Σ lease USD per hour ÷ Σ GPUs.
        var mean: Double

        /// The `stat` label of each figure, in the exposition's order.
        var labelled: [(stat: String, value: Double)] {
            [("min", min), ("p10", p10), ("p25", p25), ("median", median), ("p75", p75), ("p90", p90), ("max", max),
             ("mean", mean)]
        }
    }

    var kinds: [PaidKind: Int]
    var models: [GPUAttribute: Model]

    init(_ join: PaidJoin, pricing: DenomPricing, blockTime: Double) {
        var models: [GPUAttribute: Model] = [:]
        var unpriced = 0
        var priced = 0
        for (model, leases) in join.single {
            var samples: [WeightedSample] = []
            samples.reserveCapacity(leases.count)
            var usdPerHour = 0.0
            var gpus = 0.0
            var pricedGPUs = 0.0
            var modelUnpriced = 0
            for lease in leases {
                gpus += Double(lease.gpus)
                guard let usd = pricing.usdPerHour(perBlock: lease.price.amount, of: lease.price.denom, blockTime: blockTime) else {
                    modelUnpriced += 1
                    continue
                }
                usdPerHour += usd
                pricedGPUs += Double(lease.gpus)
                samples.append(WeightedSample(value: usd / Double(lease.gpus), weight: lease.gpus))
            }
            unpriced += modelUnpriced
            priced += leases.count - modelUnpriced
            models[model] = Model(gpus: gpus, leases: leases.count, unpriced: modelUnpriced,
                                  stats: WeightedSample.stats(samples, mean: usdPerHour / pricedGPUs))
        }
        kinds = [.noOffer: join.noOffer, .cpu: join.cpu, .mixed: join.mixed, .unpriced: unpriced, .gpu: priced]
        self.models = models
    }

    /// The paid median of exactly this offered model; nil when none of its leases could be priced.
    func median(for model: GPUAttribute) -> Double? {
        models[model]?.stats?.median
    }

    /// Every priced model's median: what the tenant's and the provider's GPU price checks compare with.
    var medians: [GPUAttribute: Double] {
        models.compactMapValues { $0.stats?.median }
    }
}

/// A value held by `weight` samples (a lease's price per GPU, once per GPU it rents).
struct WeightedSample: Sendable, Equatable {
    var value: Double
    var weight: Int64

    /// The figures of the index over `samples`, nil without any. Quantiles as Prometheus' `quantile()` computes them
    /// over the expanded samples: ascending, rank q × (n − 1), linear interpolation between the two closest ranks.
    static func stats(_ samples: [WeightedSample], mean: Double) -> PaidIndex.Stats? {
        let sorted = samples.filter { $0.weight > 0 }.sorted { $0.value < $1.value }
        guard let first = sorted.first, let last = sorted.last else { return nil }
        let count = sorted.reduce(Int64(0)) { $0 + $1.weight }
        func quantile(_ q: Double) -> Double {
            let rank = q * Double(count - 1)
            let lower = rank.rounded(.down)
            let low = value(at: Int64(lower), in: sorted)
            guard rank > lower else { return low }
            return low + (value(at: Int64(lower) + 1, in: sorted) - low) * (rank - lower)
        }
        return PaidIndex.Stats(min: first.value, p10: quantile(0.1), p25: quantile(0.25), median: quantile(0.5),
                               p75: quantile(0.75), p90: quantile(0.9), max: last.value, mean: mean)
    }

    /// The value of the `index`-th (0-based) expanded sample.
    private static func value(at index: Int64, in sorted: [WeightedSample]) -> Double {
        var passed: Int64 = 0
        for sample in sorted {
            passed += sample.weight
            if index < passed { return sample.value }
        }
        return sorted[sorted.count - 1].value
    }
}

/// The last good network leases and offers, and the index made of them: joined once per pair of polls, priced
/// once per AKT price. The index collector and the shared `PaidMarket` (the tenant's and the provider's checks)
/// read the same cached index.
final class PaidIndexBook: Sendable {
    let leases: LastGood<NetworkLeases>
    let offers: LastGood<NetworkOffers>
    /// Seconds per block: measured or fixed, read at each render.
    let blockTime: BlockTime
    let aktPrice: AKTPrice

    private struct Cached: Sendable {
        let leases: NetworkLeases
        let offers: NetworkOffers
        let join: PaidJoin
        let aktUSD: Double?
        let blockSeconds: Double
        let index: PaidIndex
    }

    private let cache = Mutex<Cached?>(nil)

    init(interval: Double, blockTime: BlockTime, aktPrice: AKTPrice) {
        leases = LastGood(pollInterval: interval)
        offers = LastGood(pollInterval: interval)
        self.blockTime = blockTime
        self.aktPrice = aktPrice
    }

    /// The index at `now`; nil unless both lists are fresh (leases without their bids say nothing of GPUs, and bids
    /// without leases nothing of what is paid).
    func index(at now: Date) -> PaidIndex? {
        guard let leases = leases.value(now: now), let offers = offers.value(now: now) else {
            cache.withLock { $0 = nil }
            return nil
        }
        let aktUSD = aktPrice.usd(at: now)
        let blockSeconds = blockTime.seconds(at: now)
        let cached = cache.withLock { $0 }
        if let cached, cached.leases === leases, cached.offers === offers {
            if cached.aktUSD == aktUSD, cached.blockSeconds == blockSeconds { return cached.index }
            return store(leases, offers, cached.join, aktUSD, blockSeconds)
        }
        return store(leases, offers, PaidJoin(leases: leases.leases, offers: offers.offers), aktUSD, blockSeconds)
    }

    private func store(_ leases: NetworkLeases, _ offers: NetworkOffers, _ join: PaidJoin, _ aktUSD: Double?,
                       _ blockSeconds: Double) -> PaidIndex {
        let index = PaidIndex(join, pricing: DenomPricing(aktPriceUSD: aktUSD), blockTime: blockSeconds)
        cache.withLock {
            $0 = Cached(leases: leases, offers: offers, join: join, aktUSD: aktUSD, blockSeconds: blockSeconds, index: index)
        }
        return index
    }
}

/// The index families: no owner or provider label anywhere, so no tenant's address leaks into a label; a few
/// series per GPU model, however many leases.
struct PaidIndexCollector: MetricsCollector {
    let book: PaidIndexBook
    /// The Console's bid medians, for bid ÷ paid.
    let gpuMarket: GPUMarket

    func collect(now: Date) -> [MetricFamily] {
        PaidIndexFamilies(book.index(at: now), bids: gpuMarket.models(at: now), blockTime: book.blockTime.seconds(at: now)).all
    }
}

struct PaidIndexFamilies {
    /// The chain does not check GPU attributes, so any provider could offer thousands of made-up model names: the
    /// index exports the models with the most GPUs rented, up to this many (the network has a few dozen), so its
    /// series stay bounded whatever the chain holds. The kinds still count every lease.
    static let maxModels = 200

    var price: MetricFamily
    var gpus: MetricFamily
    var leases: MetricFamily
    var kinds: MetricFamily
    var bidVsPaid: MetricFamily

    init(_ index: PaidIndex?, bids: [GPUPrices.GPUModel]?, blockTime: Double) {
        let offered = "by the GPU model the winning bid offered (resources_offer; the provider's claim)"
        price = .gauge("akash_gpu_paid_price_usd_per_gpu_hour",
                       "What the network's active and reclaiming single-model GPU leases pay per GPU-hour in USD, \(offered): "
                        + "each leased GPU one sample at its lease's whole price (host CPU, memory and storage included) / its GPUs, "
                        + "\(AccountFamilies.perBlockTime(blockTime)). stat: min, p10, p25, median, p75, p90, max (quantiles as "
                        + "PromQL quantile()), mean (sum of USD per hour / sum of GPUs). Leases in a denom without a USD price are left out.")
        gpus = .gauge("akash_gpu_paid_gpus",
                      "GPUs rented by the network's active and reclaiming single-model leases, \(offered), priced or not.")
        leases = .gauge("akash_gpu_paid_leases",
                        "The network's active and reclaiming single-model leases, \(offered), priced or not.")
        kinds = .gauge("akash_gpu_paid_network_leases",
                       "The network's active and reclaiming leases, each counted once: no_offer (no winning bid, no resources_offer "
                        + "or no certain model), else cpu (no GPU), else mixed (several models), else unpriced (no USD price for its "
                        + "denom), else gpu (a sample of the paid index).")
        bidVsPaid = .gauge("akash_gpu_bid_vs_paid_ratio",
                           "The network median bid per GPU-hour of the matching Console /v1/gpu-prices model / the paid median "
                            + "(akash_gpu_paid_price_usd_per_gpu_hour{stat=\"median\"}); absent unless exactly one row matches.")
        guard let index else { return }
        for kind in PaidKind.allCases {
            kinds.add(Double(index.kinds[kind] ?? 0), ["kind": kind.rawValue])
        }
        for model in Self.exported(index.models) {
            let figures = index.models[model]!
            let labels = LeaseGPUFamilies.labels(model)
            gpus.add(figures.gpus, labels: labels)
            leases.add(Double(figures.leases), labels: labels)
            guard let stats = figures.stats else { continue }
            for (stat, value) in stats.labelled {
                price.add(value, labels: labels + [Label("stat", stat)])
            }
            let bid = bids.flatMap { MarketMatch.median(for: model, in: $0) }
            bidVsPaid.add(bid.flatMap { $0 > 0 && stats.median > 0 ? $0 / stats.median : nil }, labels: labels)
        }
    }

    var all: [MetricFamily] { [price, gpus, leases, kinds, bidVsPaid] }

    /// The `maxModels` models with the most GPUs (ties by name), in name order.
    static func exported(_ models: [GPUAttribute: PaidIndex.Model]) -> [GPUAttribute] {
        let kept = models.count <= maxModels ? Array(models.keys) : models.sorted {
            $0.value.gpus != $1.value.gpus ? $0.value.gpus > $1.value.gpus : $0.key.description < $1.key.description
        }.prefix(maxModels).map(\.key)
        return ProviderFamilies.ordered(kept)
    }
}
