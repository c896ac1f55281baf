import ExporterKit
import Exposition
import FoundationEssentials

/// Source `akash_oracle`: `GET /akash/oracle/v2/aggregated_price/akt`, the chain's own AKT/USD (oracle v2, live
/// since Mainnet 18). The chain rewrites the aggregate in every block only while the feed is healthy; when it is
/// not, the last healthy prices stay with their old `timestamp`, so the age of that timestamp is what says whether
/// the price is current.
enum OracleSource {
    /// `akt` is the only asset the oracle stores (`uakt` or `act` answer an error).
    static let path = "/akash/oracle/v2/aggregated_price/akt"

    /// Also feeds the shared `AKTPrice`: the tenant and provider views price uakt leases from this aggregate while
    /// `--akash.akt-price-source` lets them.
    static let declaration = Source(
        name: "akash_oracle", api: .chainREST, endpoints: [.init(path)],
        summary: "chain REST `GET /akash/oracle/v2/aggregated_price/akt` (the chain's AKT/USD)", schedule: "1 min",
        intervalFlag: OnChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let config = setup[OnChainArea.self], config.enabled else { return nil }
        let endpoint = Endpoint("akash_oracle", api: .chainREST, baseURL: config.restURL, path: path, interval: config.interval,
                                timeout: config.timeout, decode: decode, families: families)
        let oracle = endpoint.source.lastGood
        setup.shared.aktPrice.feedOracle(choice: config.aktPriceSource) { now in oracle.value(now: now) }
        return MadeSource(endpoint.source, collectors: [endpoint.collector])
    }

    /// The answer as the gateway writes it: decimals and 64-bit integers as strings, 32-bit ones as numbers.
    struct Answer: Decodable, Sendable {
        struct Aggregated: Decodable, Sendable {
            let denom: String
            let twap: ChainDecimal
            let medianPrice: ChainDecimal
            let minPrice: ChainDecimal
            let maxPrice: ChainDecimal
            let timestamp: String
            let deviationBps: String

            enum CodingKeys: String, CodingKey {
                case denom, twap, timestamp
                case medianPrice = "median_price", minPrice = "min_price", maxPrice = "max_price"
                case deviationBps = "deviation_bps"
            }
        }

        struct Health: Decodable, Sendable {
            let denom: String
            let isHealthy: Bool
            let totalSources: UInt32
            let totalHealthySources: UInt32

            enum CodingKeys: String, CodingKey {
                case denom
                case isHealthy = "is_healthy", totalSources = "total_sources", totalHealthySources = "total_healthy_sources"
            }
        }

        let aggregatedPrice: Aggregated
        let priceHealth: Health

        enum CodingKeys: String, CodingKey {
            case aggregatedPrice = "aggregated_price", priceHealth = "price_health"
        }
    }

    /// AKT has never traded above $10. A price ten thousand times that is a broken feed, and it would multiply
    /// every uakt cost; better no price than that one.
    static let maxPlausibleUSD = 100_000.0
    /// The oracle went live in 2026; an older aggregation time (the zero `0001-01-01T00:00:00Z` of a chain that never
    /// aggregated) is no time at all.
    static let earliestPlausibleTimestamp = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01

    @Sendable static func decode(_ body: Data) throws(SourceFailure) -> OraclePrice {
        let what = UpstreamAPI.chainREST.describe(path)
        let answer = try JSONBody.decode(Answer.self, from: body, what: what)
        return try validate(answer, what: what)
    }

    /// Chain input is checked before anything is kept: the asset, ordered and plausible prices, a parsable time,
    /// counts that add up. Any contradiction fails the poll (`decode`) rather than export a number that is wrong.
    static func validate(_ answer: Answer, what: String) throws(SourceFailure) -> OraclePrice {
        func invalid(_ problem: String) -> SourceFailure { SourceFailure(.decode, "\(what): \(problem)") }
        let price = answer.aggregatedPrice, health = answer.priceHealth
        guard price.denom == "akt", health.denom == "akt" else {
            throw invalid("expected the akt aggregate, got \(price.denom.prefix(20))/\(health.denom.prefix(20))")
        }
        let stats = [price.twap, price.minPrice, price.medianPrice, price.maxPrice].map(\.doubleValue)
        guard stats.allSatisfy({ $0 > 0 && $0 <= maxPlausibleUSD }) else {
            throw invalid("a price is zero or above \(Int(maxPlausibleUSD)) USD")
        }
        guard price.minPrice <= price.medianPrice, price.medianPrice <= price.maxPrice else {
            throw invalid("min_price <= median_price <= max_price does not hold")
        }
        guard let timestamp = RFC3339.parse(price.timestamp), timestamp >= earliestPlausibleTimestamp else {
            throw invalid("timestamp is not an RFC 3339 UTC time after 2020")
        }
        guard let deviation = UInt64(strictDigits: price.deviationBps) else {
            throw invalid("deviation_bps is not a non-negative integer")
        }
        guard health.totalHealthySources <= health.totalSources else {
            throw invalid("more healthy sources than sources")
        }
        return OraclePrice(twap: stats[0], min: stats[1], median: stats[2], max: stats[3], timestamp: timestamp,
                           healthy: health.isHealthy, totalSources: Int(health.totalSources),
                           healthySources: Int(health.totalHealthySources), deviationRatio: Double(deviation) / 10_000)
    }

    @Sendable static func families(_ price: OraclePrice) -> [MetricFamily] {
        var usd = MetricFamily.gauge("akash_oracle_akt_price_usd",
            "The chain oracle's AKT/USD (/akash/oracle/v2/aggregated_price/akt) by stat: twap (what BME mints and burns "
            + "at), median, min, max across its sources. Frozen at the last healthy block while the feed is unhealthy: "
            + "see akash_oracle_price_timestamp_seconds.")
        usd.add(price.twap, ["stat": "twap"])
        usd.add(price.median, ["stat": "median"])
        usd.add(price.min, ["stat": "min"])
        usd.add(price.max, ["stat": "max"])
        var healthy = MetricFamily.gauge("akash_oracle_price_healthy",
            "1 when the chain oracle's AKT price is healthy (enough fresh sources, deviation within bounds), else 0.")
        healthy.add(price.healthy ? 1 : 0)
        var timestamp = MetricFamily.gauge("akash_oracle_price_timestamp_seconds",
            "Block time of the block that last aggregated the oracle's AKT price; it stops moving while the feed is unhealthy.")
        timestamp.add(price.timestamp.timeIntervalSince1970)
        var sources = MetricFamily.gauge("akash_oracle_sources",
            "Price sources of the chain oracle's AKT price: total (registered and ever posted), healthy (posted recently enough).")
        sources.add(Double(price.totalSources), ["state": "total"])
        sources.add(Double(price.healthySources), ["state": "healthy"])
        var deviation = MetricFamily.gauge("akash_oracle_deviation_ratio",
            "Spread between the oracle's sources at the last aggregation (deviation_bps / 10000).")
        deviation.add(price.deviationRatio)
        return [usd, healthy, timestamp, sources, deviation]
    }
}

/// The oracle's aggregate, checked; prices in USD per AKT.
struct OraclePrice: Sendable, Equatable {
    var twap: Double
    var min: Double
    var median: Double
    var max: Double
    /// Block time of the aggregating block.
    var timestamp: Date
    var healthy: Bool
    var totalSources: Int
    var healthySources: Int
    var deviationRatio: Double

    /// Seconds since the chain last aggregated; negative when the chain's clock is ahead of ours.
    func age(now: Date) -> Double {
        now.timeIntervalSince(timestamp)
    }
}

/// Timestamps as the gateway writes them: `2026-09-28T12:00:05.482913377Z`, UTC, 0 to 9 fraction digits.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        guard text.utf8.count >= 20, text.hasSuffix("Z") else { return nil }
        let whole = String(text.prefix(19))
        let rest = text.dropFirst(19).dropLast()
        guard let seconds = WallClock.parseInstant(whole + "Z") else { return nil }
        if rest.isEmpty { return seconds }
        let digits = rest.dropFirst()
        guard rest.first == ".", (1...9).contains(digits.count), let fraction = UInt64(strictDigits: String(digits)) else {
            return nil
        }
        var scale = 1.0
        for _ in 0..<digits.count { scale *= 10 }
        return seconds.addingTimeInterval(Double(fraction) / scale)
    }
}

extension UInt64 {
    /// Only ASCII digits (at least one): no sign, blank, point or exponent, as the gateway writes a `uint64`.
    init?(strictDigits text: String) {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        self.init(text)
    }
}
