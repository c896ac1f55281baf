/// The escrow account of one deployment as the chain last settled it.
public struct DeploymentEscrow: Sendable, Equatable {
    public var dseq: String
    /// What was left in escrow at `settledAt`, per denom.
    public var funds: Coins
    /// The block height of the last settlement: the chain moves money to providers lazily, so everything
    /// the leases accrued since then is still counted in `funds`.
    public var settledAt: Int64
    /// The chain marked the account `overdrawn`: the leases spent more than it held.
    public var overdrawn: Bool
    /// Paid out to providers so far, per denom (`transferred`); empty when the chain did not say.
    public var transferred: Coins

    public init(dseq: String, funds: Coins, settledAt: Int64, overdrawn: Bool = false, transferred: Coins = [:]) {
        self.dseq = dseq
        self.funds = funds
        self.settledAt = settledAt
        self.overdrawn = overdrawn
        self.transferred = transferred
    }
}

/// What an escrow holds now and how long it lasts, the way Akash Console computes it
/// (`deployment.service.ts` in its notifications app): funds − blocks since settlement × rate per block.
public struct EscrowProjection: Sendable, Equatable {
    /// Escrow left at the current height, per denom, never below zero.
    public var left: Coins
    /// Blocks until the escrow runs dry at the current rate; nil when no lease is paying (rate 0). With leases
    /// in several denoms (rare) it is the first denom to run out, since each denom pays its own leases.
    public var runwayBlocks: Double?

    /// - Parameters:
    ///   - ratePerBlock: the sum of the deployment's active lease prices, per denom.
    ///   - height: the latest block height. A height below `settledAt` (the block poll is older than the
    ///     deployments poll) counts as no blocks passed.
    public static func project(_ escrow: DeploymentEscrow, ratePerBlock: Coins, height: Int64) -> EscrowProjection {
        let blocksPassed = max(0, height - escrow.settledAt)
        var left: Coins = [:]
        for (denom, funds) in escrow.funds {
            left[denom] = escrow.overdrawn ? .zero : funds
        }
        var runwayBlocks: Double?
        for (denom, rate) in ratePerBlock where !rate.isZero {
            // An overflowing product is more than any escrow can hold: nothing is left.
            let spent = rate.multiplied(by: blocksPassed)
            let remaining = spent.map { (left[denom] ?? .zero).subtractingClampedAtZero($0) } ?? .zero
            left[denom] = remaining
            let blocks = remaining.ratio(to: rate) ?? 0
            runwayBlocks = min(runwayBlocks ?? blocks, blocks)
        }
        return EscrowProjection(left: left, runwayBlocks: runwayBlocks)
    }
}
