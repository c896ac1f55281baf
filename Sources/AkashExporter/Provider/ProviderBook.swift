// A watched provider's leases and bids added up, in chain units. Pure. The bids are reduced once per poll
// (`ProviderBids`); the leases are summed and joined to them at render, then priced with the AKT price and the
// network medians of that moment. Every part is one pass over its list: the work grows linearly.

extension ActiveLease {
    /// The id of the bid the lease was created from (`LeaseID(bid.ID)`).
    var bidID: BidID { BidID(owner: owner, dseq: dseq, gseq: gseq, oseq: oseq, provider: provider, bseq: bseq) }
}

/// Money per block and the GPUs it pays for: the two sums behind a GPU-weighted average per-GPU price
/// (Σ lease price ÷ Σ GPUs is the average of each lease's price per GPU, weighted by its GPUs).
struct PricedGPUs: Sendable, Equatable {
    /// Σ prices per block, per denom; nil once a sum overflowed (unknown rather than wrong).
    var perBlock: Coins?
    /// A Double: sums of counts stay exact far beyond any fleet, and a broken upstream's huge counts cannot trap.
    var gpus: Double

    static let empty = PricedGPUs(perBlock: [:], gpus: 0)

    mutating func add(_ price: DecCoin, gpus: Int64) {
        if perBlock?.add(price.amount, of: price.denom) == false { perBlock = nil }
        self.gpus += Double(gpus)
    }

    /// USD per GPU-hour; nil without GPUs or when any part has no price.
    func usdPerGPUHour(_ pricing: DenomPricing, blockTime: Double) -> Double? {
        guard gpus > 0, let perBlock, let usd = pricing.usdPerHour(perBlock: perBlock, blockTime: blockTime) else { return nil }
        return usd / gpus
    }
}

/// What the provider's active leases earn per block, from the leases alone.
struct ProviderRevenue: Sendable, Equatable {
    var activeLeases: Int
    /// Σ lease prices per block, per denom (CPU-only leases included); nil after an `Int128` overflow.
    var perBlock: Coins?

    init(_ leases: [ActiveLease]) {
        var perBlock: Coins? = [:]
        for lease in leases where perBlock?.add(lease.price.amount, of: lease.price.denom) == false {
            perBlock = nil
        }
        activeLeases = leases.count
        self.perBlock = perBlock
    }
}

/// The GPUs the provider's active leases rent, by the model each winning bid offered, and what they earn per GPU.
/// A lease is joined to its bid on the order and bid sequence; a lease whose bid is missing or names no certain
/// model (an old bid without `resources_offer`, a wildcard) counts nowhere here, never as a guess.
struct ProviderLeasedGPUs: Sendable, Equatable {
    /// GPUs rented out per offered model, mixed-model leases included.
    var gpus: [GPUAttribute: Double]
    /// Per model, the single-model leases' prices and GPUs. A mixed-model lease has one price for several models
    /// and cannot be split, so it is left out of the price (its GPUs are still counted above).
    var priced: [GPUAttribute: PricedGPUs]

    /// - Parameter offers: what each winning bid offered, by bid id.
    init(leases: [ActiveLease], offers: [BidID: RentedGPUs]) {
        var gpus: [GPUAttribute: Double] = [:]
        var priced: [GPUAttribute: PricedGPUs] = [:]
        for lease in leases {
            guard let rented = offers[lease.bidID] else { continue }
            for model in rented.perModel { gpus[model.model, default: 0] += Double(model.gpus) }
            if case .single(let model) = rented {
                priced[model.model, default: .empty].add(lease.price, gpus: model.gpus)
            }
        }
        self.gpus = gpus
        self.priced = priced
    }
}

/// The provider's open bids: how many, and per offered model the cheapest one per GPU.
struct ProviderOpenBids: Sendable, Equatable {
    /// One single-model bid: its price per block for the whole group and its GPUs.
    struct PerGPU: Sendable, Equatable {
        var price: DecCoin
        var gpus: Double

        var perBlock: Double { price.amount.doubleValue / gpus }
    }

    /// Bids waiting for the tenant; 0 is a real answer (nothing on offer), not missing data.
    var count: Int
    /// Per model and denom, the single-model bid with the lowest price per GPU. Kept per denom because which one
    /// is cheapest across denoms depends on the AKT price at render time.
    var cheapest: [GPUAttribute: [String: PerGPU]]

    init(_ bids: [Bid]) {
        var cheapest: [GPUAttribute: [String: PerGPU]] = [:]
        for bid in bids {
            guard case .single(let model)? = bid.rentedGPUs, model.gpus > 0 else { continue }
            let candidate = PerGPU(price: bid.price, gpus: Double(model.gpus))
            if let best = cheapest[model.model]?[bid.price.denom], best.perBlock <= candidate.perBlock { continue }
            cheapest[model.model, default: [:]][bid.price.denom] = candidate
        }
        count = bids.count
        self.cheapest = cheapest
    }

    /// The lowest open bid of `model` in USD per GPU-hour; nil when a denom it was bid in has no price, since the
    /// bid left out could be the lowest.
    func minUSDPerGPUHour(_ model: GPUAttribute, _ pricing: DenomPricing, blockTime: Double) -> Double? {
        guard let byDenom = cheapest[model] else { return nil }
        var lowest: Double?
        for bid in byDenom.values {
            guard let usd = pricing.usdPerHour(perBlock: bid.price.amount, of: bid.price.denom, blockTime: blockTime) else {
                return nil
            }
            lowest = min(lowest ?? usd / bid.gpus, usd / bid.gpus)
        }
        return lowest
    }
}
