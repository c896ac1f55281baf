/// Amounts of several denominations, exact, keyed by denom (`uact`, `uakt`, `ibc/...`).
public typealias Coins = [String: ChainDecimal]

extension Dictionary where Key == String, Value == ChainDecimal {
    /// Adds `amount` of `denom`; false if the sum leaves the `Int128` range.
    @discardableResult
    mutating func add(_ amount: ChainDecimal, of denom: String) -> Bool {
        guard let sum = (self[denom] ?? .zero).adding(amount) else { return false }
        self[denom] = sum
        return true
    }
}

/// Turns chain amounts into US dollars. Every denomination the chain pays leases in has 6 decimals
/// (1 ACT = 10^6 uact, 1 AKT = 10^6 uakt, 1 USDC = 10^6 of its IBC denom).
public struct DenomPricing: Sendable {
    /// The ACT compute credit, pegged to 1 USD (AEP-76, node v2.0.0); every new deployment is priced in it.
    public static let act = "uact"
    public static let akt = "uakt"
    /// Axelar USDC over IBC, the stable denom before ACT (mainnet, then sandbox/testnet). Active deployments were
    /// migrated 1:1 to uact at the v2.0.0 upgrade, so these only appear on old data; still worth one USD each.
    public static let legacyUSDC: Set<String> = [
        "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1",
        "ibc/028CD1864059EEFB48A6048376165318E3E82C234390AE5A6D7B22001725B06E",
    ]
    static let microUnitsPerToken = 1e6

    /// AKT in USD now, or nil when the market area has no fresh price (disabled, not yet polled, stale).
    public let aktPriceUSD: Double?

    public init(aktPriceUSD: Double?) {
        self.aktPriceUSD = aktPriceUSD
    }

    /// USD per whole token (10^6 micro-units) of `denom`; nil for an unknown denom or AKT without a price.
    public func usdPerToken(_ denom: String) -> Double? {
        if denom == Self.act || Self.legacyUSDC.contains(denom) { return 1 }
        if denom == Self.akt { return aktPriceUSD }
        return nil
    }

    /// The USD value of `amount` micro-units of `denom`, nil when the denom has no known price.
    public func usd(_ amount: ChainDecimal, of denom: String) -> Double? {
        usd(amount, of: denom, times: 1)
    }

    /// The USD value of `coins`, or nil when any non-zero amount has no known price: a total that silently
    /// skipped a part would look like a real, smaller number. A zero amount is worth zero in any denom.
    public func usd(_ coins: Coins) -> Double? {
        usd(coins, times: 1)
    }

    /// USD per hour of `amount` paid every block: amount / 10^6 × USD per token × 3600 / block time.
    public func usdPerHour(perBlock amount: ChainDecimal, of denom: String, blockTime: Double) -> Double? {
        usd(amount, of: denom, times: 3600 / blockTime)
    }

    /// USD per hour of `coins` paid every block; nil under the same rule as `usd(_:)`.
    public func usdPerHour(perBlock coins: Coins, blockTime: Double) -> Double? {
        usd(coins, times: 3600 / blockTime)
    }

    // The factor (blocks per hour) multiplies the amount before the division by 10^6, so that round figures stay
    // round: 250.5 uakt × 600 / 10^6 × 0.5 is 0.07515, not 0.07515000000000001.
    private func usd(_ amount: ChainDecimal, of denom: String, times factor: Double) -> Double? {
        usdPerToken(denom).map { amount.doubleValue * factor / Self.microUnitsPerToken * $0 }
    }

    private func usd(_ coins: Coins, times factor: Double) -> Double? {
        var total = 0.0
        for (denom, amount) in coins.sorted(by: { $0.key < $1.key }) where !amount.isZero {
            guard let value = usd(amount, of: denom, times: factor) else { return nil }
            total += value
        }
        return total
    }
}
