@testable import AkashExporter
import Testing

@Suite("Account: USD per hour for each denom")
struct AccountPricingTests {
    static let blockTime = 6.0
    static let price = ChainDecimal("4.826603000000000000")!
    /// 4.826603 micro-units per block × 600 blocks an hour / 10^6.
    static let tokensPerHour = 4.826603 * 600 / 1e6

    func usdPerHour(_ denom: String, aktPrice: Double?) -> Double? {
        DenomPricing(aktPriceUSD: aktPrice).usdPerHour(perBlock: Self.price, of: denom, blockTime: Self.blockTime)
    }

    @Test("uact is one USD per 10^6: 4.826603 uact a block is $0.0028959618 an hour")
    func act() throws {
        #expect(usdPerHour("uact", aktPrice: nil) == 0.002_895_961_8)
    }

    @Test("the legacy IBC USDC denoms (mainnet and sandbox) count one USD per 10^6 too", arguments: [
        "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1",
        "ibc/028CD1864059EEFB48A6048376165318E3E82C234390AE5A6D7B22001725B06E",
    ])
    func legacyUSDC(_ denom: String) {
        #expect(usdPerHour(denom, aktPrice: nil) == usdPerHour("uact", aktPrice: nil))
    }

    @Test("uakt uses the AKT price: at $0.5434716 an AKT")
    func akt() throws {
        let value = try #require(usdPerHour("uakt", aktPrice: 0.5434716))
        #expect(abs(value - Self.tokensPerHour * 0.5434716) < 1e-15)
    }

    @Test("uakt without a known AKT price gives no value, never 0")
    func aktWithoutPrice() {
        #expect(usdPerHour("uakt", aktPrice: nil) == nil)
    }

    @Test("an unknown denom gives no value", arguments: ["uosmo", "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2", "UACT"])
    func unknownDenom(_ denom: String) {
        #expect(usdPerHour(denom, aktPrice: 1) == nil)
    }

    @Test("the block time divides: at 6.117 s a block the same price costs 6.117/6 times less an hour")
    func blockTime() throws {
        let pricing = DenomPricing(aktPriceUSD: nil)
        let at6 = try #require(pricing.usdPerHour(perBlock: ["uact": Self.price], blockTime: 6))
        let at6117 = try #require(pricing.usdPerHour(perBlock: ["uact": Self.price], blockTime: 6.117))
        #expect(abs(at6 / at6117 - 6.117 / 6) < 1e-12)
    }

    @Test("a mix of denoms sums; one unpriceable non-zero amount makes the total unknown; a zero amount does not")
    func totals() {
        let pricing = DenomPricing(aktPriceUSD: nil)
        #expect(pricing.usd(["uact": ChainDecimal("1500000")!, "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1": ChainDecimal("500000")!]) == 2)
        #expect(pricing.usd(["uact": ChainDecimal("1500000")!, "uakt": ChainDecimal("1")!]) == nil)
        #expect(pricing.usd(["uact": ChainDecimal("1500000")!, "uakt": .zero]) == 1.5)
        #expect(DenomPricing(aktPriceUSD: 2).usd(["uact": ChainDecimal("1500000")!, "uakt": ChainDecimal("1000000")!]) == 3.5)
    }
}
