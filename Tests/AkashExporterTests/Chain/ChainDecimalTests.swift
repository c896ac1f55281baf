@testable import AkashExporter
import Foundation
import Testing

@Suite("Account: exact chain decimals")
struct AccountChainDecimalTests {
    @Test("the real sample amounts parse exactly and print back the way the chain writes them",
          arguments: ["4.826603000000000000", "292317.570000000000000000", "584.635140000000000000",
                      "0.000000000000000000", "13780746.000000000000000000"])
    func sampleStringsRoundTrip(_ text: String) throws {
        let value = try #require(ChainDecimal(text))
        #expect(value.description == text)
    }

    @Test("292317.57 is held as exactly 292317570000000000000000 × 10^-18, with no binary rounding")
    func escrowFundsAreExact() throws {
        let funds = try #require(ChainDecimal("292317.570000000000000000"))
        #expect(funds.scaled == 292_317_570_000_000_000_000_000)
        #expect(funds.doubleValue == 292_317.57)
    }

    @Test("an integer part beyond 2^53 keeps every digit, fraction included")
    func hugeIntegerPart() throws {
        let text = "123456789012345678901.000000000000000001"
        let value = try #require(ChainDecimal(text))
        #expect(value.description == text)
        #expect(value.scaled % 1_000_000_000_000_000_000 == 1)
        // Double(String) would have lost the last integer digits and the fraction altogether.
        #expect(Double(text)!.description == "1.2345678901234568e+20")
    }

    @Test("an amount without a fraction (Coin.amount, e.g. withdrawn) and a short fraction are scaled to 18 digits")
    func shortForms() {
        #expect(ChainDecimal("13780746")?.description == "13780746.000000000000000000")
        #expect(ChainDecimal("0.5")?.scaled == 500_000_000_000_000_000)
        #expect(ChainDecimal("007")?.description == "7.000000000000000000")
    }

    @Test("malformed amounts are rejected", arguments: [
        "", "-1.0", "+1.0", "1e6", " 1.0", "1.0 ", "1,000.0", ".5", "5.", "1.2.3", "abc", "NaN",
        "1.0000000000000000001",          // 19 fractional digits: more than sdk.Dec holds
        "170141183460469231732",          // just past Int128 / 10^18
    ])
    func rejected(_ text: String) {
        #expect(ChainDecimal(text) == nil)
    }

    @Test("the largest representable integer part still parses")
    func upperBound() {
        #expect(ChainDecimal("170141183460469231731") != nil)
    }

    @Test("arithmetic: sums, price × blocks, subtraction clamped at zero, ratio")
    func arithmetic() throws {
        let price = try #require(ChainDecimal("4.826603000000000000"))
        let funds = try #require(ChainDecimal("292317.570000000000000000"))
        #expect(price.adding(price)?.description == "9.653206000000000000")
        #expect(price.multiplied(by: 1000)?.description == "4826.603000000000000000")
        #expect(funds.subtractingClampedAtZero(price.multiplied(by: 1000)!).description == "287490.967000000000000000")
        #expect(price.subtractingClampedAtZero(funds) == .zero)
        #expect(try #require(funds.ratio(to: price)) == 292_317.57 / 4.826603)
        #expect(funds.ratio(to: .zero) == nil)
        #expect(funds.multiplied(by: .max) == nil)
        #expect(ChainDecimal(scaled: .max).adding(ChainDecimal(scaled: 1)) == nil)
    }

    @Test("amounts decode from JSON strings; a number or a bad string is a decoding error")
    func decoding() throws {
        let coin = try JSONDecoder().decode(DecCoin.self, from: Data(#"{"denom":"uact","amount":"4.826603000000000000"}"#.utf8))
        #expect(coin == DecCoin(denom: "uact", amount: ChainDecimal("4.826603")!))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(DecCoin.self, from: Data(#"{"denom":"uact","amount":4.8}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(DecCoin.self, from: Data(#"{"denom":"uact","amount":"-4.8"}"#.utf8))
        }
    }
}
