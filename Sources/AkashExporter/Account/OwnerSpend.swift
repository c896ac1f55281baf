/// What an owner's active leases cost per block, in chain units, in total and per deployment. One pass over
/// the leases; prices are applied later, at collect time.
struct OwnerSpend: Sendable, Equatable {
    let activeLeases: Int
    /// Σ lease prices per block, per denom; nil in the (only theoretical) case of an `Int128` overflow, which
    /// leaves the total unknown rather than wrong.
    let total: Coins?
    private let byDeployment: [String: Coins]
    private let overflowed: Set<String>

    init(_ leases: [ActiveLease]) {
        var total: Coins = [:]
        var totalOverflowed = false
        var byDeployment: [String: Coins] = [:]
        var overflowed: Set<String> = []
        for lease in leases {
            if !total.add(lease.price.amount, of: lease.price.denom) { totalOverflowed = true }
            if !byDeployment[lease.dseq, default: [:]].add(lease.price.amount, of: lease.price.denom) {
                overflowed.insert(lease.dseq)
            }
        }
        activeLeases = leases.count
        self.total = totalOverflowed ? nil : total
        self.byDeployment = byDeployment
        self.overflowed = overflowed
    }

    /// Deployments with at least one active lease.
    var deployments: Dictionary<String, Coins>.Keys { byDeployment.keys }

    /// Σ prices per block of the deployment's active leases: empty when it has none, nil when unknown.
    func rate(of dseq: String) -> Coins? {
        overflowed.contains(dseq) ? nil : byDeployment[dseq] ?? [:]
    }
}
