/// The GPU part of one resource unit: `count` replicas, each with `gpu.units.val` GPUs of one of the models its
/// `gpu.attributes[]` allow. A deployment group's `group_spec.resources[]` and a bid's `resources_offer[]` both
/// hold these (see `ResourceUnit`).
struct GPUUnit: Sendable, Equatable {
    /// Replicas of the unit.
    var count: Int64
    /// GPUs per replica.
    var gpusPerReplica: Int64
    /// Models allowed (group) or offered (bid): the provider replaces the tenant's list with the one model it
    /// matched, so an offer names exactly one.
    var models: [GPUAttribute]

    init(count: Int64, gpusPerReplica: Int64, models: [GPUAttribute]) {
        self.count = count
        self.gpusPerReplica = gpusPerReplica
        self.models = models
    }

    /// count × units, nil on overflow (only a broken upstream could get there).
    var gpus: Int64? {
        let (product, overflow) = count.multipliedReportingOverflow(by: gpusPerReplica)
        return overflow || product < 0 ? nil : product
    }

    /// The model this unit rents when that is certain: exactly one allowed model, and not a wildcard.
    var certainModel: GPUAttribute? {
        guard models.count == 1, let model = models.first, !model.isWildcard else { return nil }
        return model
    }
}

/// How many GPUs of one model a lease rents.
struct RentedModel: Sendable, Equatable {
    var model: GPUAttribute
    var gpus: Int64
}

/// The GPUs a group (or the offer that won it) rents: Σ count × units, per model.
enum RentedGPUs: Sendable, Equatable {
    /// No GPU at all (a CPU-only group): no GPU series.
    case none
    /// One model: GPU count and a per-GPU price.
    case single(RentedModel)
    /// Several models in one group: a GPU count per model, but no per-GPU price (the chain prices the group as
    /// a whole), sorted by model key.
    case mixed([RentedModel])
    /// GPUs whose model is not certain (a wildcard or several allowed models in a group spec, an unreadable
    /// attribute): no GPU series, never a guess.
    case unknown

    /// Sums the units. One unit with an uncertain model makes the whole group unknown.
    init(_ units: [GPUUnit]) {
        var perModel: [GPUAttribute: Int64] = [:]
        var order: [GPUAttribute] = []
        for unit in units {
            guard let gpus = unit.gpus else { self = .unknown; return }
            guard gpus > 0 else { continue }
            guard let model = unit.certainModel else { self = .unknown; return }
            if perModel[model] == nil { order.append(model) }
            let (sum, overflow) = perModel[model, default: 0].addingReportingOverflow(gpus)
            guard !overflow else { self = .unknown; return }
            perModel[model] = sum
        }
        let rented = order.map { RentedModel(model: $0, gpus: perModel[$0]!) }
        switch rented.count {
        case 0: self = .none
        case 1: self = .single(rented[0])
        default: self = .mixed(rented.sorted { $0.model.description < $1.model.description })
        }
    }

    /// Each model with its GPU count: what `*_gpus` series export (empty for none and unknown).
    var perModel: [RentedModel] {
        switch self {
        case .none, .unknown: []
        case .single(let rented): [rented]
        case .mixed(let rented): rented
        }
    }
}
