import Foundation
import Testing
@testable import AkashExporter
import TestSupport

@Suite struct CMCDecodingTests {
    /// Every recorded body, success or error, has a `status` we can read (credits and error codes come from it).
    @Test func everySampleHasAReadableStatus() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("cmc").path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 34)
        for file in files {
            let status = try MarketTesting.decode(CMCStatusOnly.self, fixture: "cmc/\(file)").status
            if file.hasPrefix("error-") {
                #expect(status.errorCode >= 400, "\(file)")
                #expect(status.creditCount == 0, "\(file)")
            } else {
                #expect(status.errorCode == 0, "\(file)")
            }
        }
    }

    @Test func errorCodeAsNumberOrString() throws {
        #expect(try MarketTesting.decode(CMCStatusOnly.self, fixture: "cmc/error-1001.json").status.errorCode == 1001)
        #expect(try MarketTesting.decode(CMCStatusOnly.self, fixture: "cmc/error-1001-string-code.json").status.errorCode == 1001)
        #expect(try MarketTesting.decode(CMCStatusOnly.self, fixture: "cmc/error-1010.json").status.errorMessage
                == "You've exceeded your API Key's monthly rate limit.")
    }

    @Test func quotesV3() throws {
        let envelope = try MarketTesting.decode(CMCEnvelope<[CMCAsset]>.self, fixture: "cmc/quotes-v3.json")
        #expect(envelope.status.creditCount == 1)
        let assets = try #require(envelope.data)
        #expect(assets.map(\.id) == [7431, 5690, 2280, 5665])
        let akt = assets[0]
        #expect(akt.symbol == "AKT" && akt.marketPairs == 58)
        #expect(akt.usd == CMCUSDQuote(price: 0.87, volume24h: 21_453_880.62, marketCap: 257_260_000, fullyDilutedMarketCap: 339_800_000,
                                       percentChange1h: 0.3125, percentChange24h: -2.1874, percentChange7d: 5.9031,
                                       percentChange30d: -8.4402, lastUpdated: "2026-05-26T12:04:00.000Z"))
        #expect(akt.usd?.lastUpdatedDate == Date(timeIntervalSince1970: 1_779_797_040))
        // Tags come as objects in v3 quotes.
        #expect(akt.tags.first == CMCTag(slug: "distributed-computing", name: "Distributed Computing"))
    }

    @Test func quotesV3TakesTheUSDEntryWhereverItIsAndNullsStayAbsent() throws {
        let assets = try #require(try MarketTesting.decode(CMCEnvelope<[CMCAsset]>.self, fixture: "cmc/quotes-v3-usd-not-first.json").data)
        let usd = try #require(assets[0].usd)
        #expect(usd.price == 0.87 && usd.percentChange24h == -2.1874)  // not EUR's 0.8 / 99
        #expect(usd.percentChange7d == nil && usd.fullyDilutedMarketCap == nil && usd.percentChange30d == nil)
        #expect(assets[0].tags == [CMCTag(slug: "depin"), CMCTag(slug: "distributed-computing", name: "Distributed Computing")])
        // RENDER has no USD entry at all: no quote rather than EUR numbers.
        #expect(assets[1].usd == nil)
    }

    @Test func emptyQuotesAnswer() throws {
        let envelope = try MarketTesting.decode(CMCEnvelope<[CMCAsset]>.self, fixture: "cmc/quotes-v3-empty.json")
        #expect(envelope.data?.isEmpty == true)
    }

    @Test func olderQuoteShapesKeyedByCurrency() throws {
        // v2 by id: data keyed by id, quote keyed by currency, tags as objects.
        let v2 = try #require(try MarketTesting.decode(CMCEnvelope<[String: CMCAsset]>.self, fixture: "cmc/quotes-v2.json").data)
        #expect(v2["7431"]?.usd?.price == 0.87)
        #expect(v2["7431"]?.tags.contains(CMCTag(slug: "depin", name: "DePIN")) == true)
        let bySymbol = try #require(try MarketTesting.decode(CMCEnvelope<[String: [CMCAsset]]>.self, fixture: "cmc/quotes-v2-by-symbol.json").data)
        #expect(bySymbol["AKT"]?.first?.id == 7431)
        // v1 listings: quote keyed by currency, tags as strings.
        let v1 = try #require(try MarketTesting.decode(CMCEnvelope<[CMCAsset]>.self, fixture: "cmc/listings-v1.json").data)
        #expect(v1.first?.usd?.price == 2.61 && v1.first?.tags.contains(CMCTag(slug: "depin")) == true)
    }

    @Test func listingsV3TagsAsStrings() throws {
        let assets = try #require(try MarketTesting.decode(CMCEnvelope<[CMCAsset]>.self, fixture: "cmc/listings-v3.json").data)
        #expect(assets.map(\.symbol) == ["FIL", "RENDER", "HNT", "AKT"])
        #expect(assets[0].tags.map(\.slug) == ["mineable", "distributed-computing", "filesharing", "storage", "depin"])
        #expect(assets[3].usd?.volume24h == 21_453_880.62)
    }

    @Test func map() throws {
        let entries = try #require(try MarketTesting.decode(CMCEnvelope<[CMCMapEntry]>.self, fixture: "cmc/map.json").data)
        #expect(entries.first == CMCMapEntry(id: 7431, symbol: "AKT", slug: "akash-network", rank: 127, isActive: 1))
        let docs = try #require(try MarketTesting.decode(CMCEnvelope<[CMCMapEntry]>.self, fixture: "cmc/map.docs.json").data)
        #expect(docs.map(\.symbol) == ["BTC", "BNB", "USDT"])
    }

    @Test func macro() throws {
        let fearGreed = try MarketTesting.decode(CMCEnvelope<CMCFearGreed>.self, fixture: "cmc/fear-and-greed.json").data
        #expect(fearGreed == CMCFearGreed(value: 40, valueClassification: "Neutral"))
        let altcoin = try MarketTesting.decode(CMCEnvelope<CMCAltcoinSeason>.self, fixture: "cmc/altcoin-season.json").data
        #expect(altcoin?.altcoinIndex == 31)
        let docs = try MarketTesting.decode(CMCEnvelope<CMCAltcoinSeason>.self, fixture: "cmc/altcoin-season.docs.json").data
        #expect(docs?.altcoinIndex == 0)
    }

    @Test func keyInfoWithAndWithoutDailyFields() throws {
        let info = try #require(try MarketTesting.decode(CMCEnvelope<CMCKeyInfo>.self, fixture: "cmc/key-info.json").data)
        #expect(info.usage?.currentMonth?.creditsLeft == 119_999 && info.usage?.currentDay?.creditsLeft == 3_999)
        #expect(info.plan?.creditLimitMonthly == 120_000)
        let basic = try #require(try MarketTesting.decode(CMCEnvelope<CMCKeyInfo>.self, fixture: "cmc/key-info.basic-with-daily.json").data)
        #expect(basic.usage?.currentMonth?.creditsUsed == 8_412 && basic.usage?.currentDay?.creditsLeft == 236)
    }
}
