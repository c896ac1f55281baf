import FoundationEssentials

// The CoinMarketCap response bodies this exporter reads, decoded defensively: every field we do not strictly
// need is optional (a null or a missing field becomes an absent sample, never 0), and the shapes CoinMarketCap
// has used over the API versions are all accepted (quotes as a list or keyed by currency, tags as strings or
// objects, `error_code` as a number or a string).

/// The `status` object every CoinMarketCap response carries, errors included.
struct CMCStatus: Decodable, Sendable, Equatable {
    /// 0 on success; a CoinMarketCap code (1001...1011) or the HTTP status otherwise.
    var errorCode: Int
    var errorMessage: String?
    /// Credits this call cost; always 0 for errors.
    var creditCount: Int

    enum CodingKeys: String, CodingKey {
        case errorCode = "error_code", errorMessage = "error_message", creditCount = "credit_count"
    }

    init(errorCode: Int, errorMessage: String? = nil, creditCount: Int = 0) {
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.creditCount = creditCount
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Some CoinMarketCap services send "0" rather than 0.
        errorCode = try container.decodeIfPresent(JSONInteger.self, forKey: .errorCode).map { Int($0.value) } ?? 0
        errorMessage = try container.decodeIfPresent(String.self, forKey: .errorMessage)
        creditCount = try container.decodeIfPresent(JSONInteger.self, forKey: .creditCount).map { Int($0.value) } ?? 0
    }
}

/// `{"status": {...}, "data": ...}`. `data` is absent from error bodies.
struct CMCEnvelope<Payload: Decodable & Sendable>: Decodable, Sendable {
    var status: CMCStatus
    var data: Payload?
}

/// An error body, or any body when only its `status` matters (counting credits of an undecodable answer).
struct CMCStatusOnly: Decodable, Sendable {
    var status: CMCStatus
}

// MARK: - /v1/cryptocurrency/map

struct CMCMapEntry: Decodable, Sendable, Equatable {
    var id: Int
    var symbol: String
    var slug: String
    var rank: Int?
    var isActive: Int?

    enum CodingKeys: String, CodingKey {
        case id, symbol, slug, rank, isActive = "is_active"
    }
}

// MARK: - quotes and listings (v3 and the older v1/v2 shapes)

/// One asset of `/v3/cryptocurrency/quotes/latest` or `/v3/cryptocurrency/listings/latest`.
struct CMCAsset: Decodable, Sendable {
    var id: Int
    var name: String?
    var symbol: String
    var slug: String?
    var marketPairs: Int?
    var tags: [CMCTag]
    /// The USD entry of `quote`; nil when CoinMarketCap sent none.
    var usd: CMCUSDQuote?

    enum CodingKeys: String, CodingKey {
        case id, name, symbol, slug, tags, quote, marketPairs = "num_market_pairs"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        symbol = try container.decode(String.self, forKey: .symbol)
        slug = try container.decodeIfPresent(String.self, forKey: .slug)
        marketPairs = try container.decodeIfPresent(Int.self, forKey: .marketPairs)
        tags = try container.decodeIfPresent([CMCTag].self, forKey: .tags) ?? []
        usd = try container.decodeIfPresent(CMCQuoteCurrencies.self, forKey: .quote)?.usd
    }
}

/// `quote` is a list of `{symbol: "USD", ...}` in v3 (USD anywhere in it) and `{"USD": {...}}` in v1/v2.
struct CMCQuoteCurrencies: Decodable, Sendable {
    var usd: CMCUSDQuote?

    private struct Entry: Decodable {
        var symbol: String?
        var quote: CMCUSDQuote

        init(from decoder: any Decoder) throws {
            symbol = try decoder.container(keyedBy: CMCUSDQuote.CodingKeys.self).decodeIfPresent(String.self, forKey: .symbol)
            quote = try CMCUSDQuote(from: decoder)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([Entry].self) {
            usd = list.first { $0.symbol?.uppercased() == "USD" }?.quote
        } else {
            usd = try container.decode([String: CMCUSDQuote].self)["USD"]
        }
    }
}

/// The USD figures of one asset. Percent values are as CoinMarketCap sends them (5.2 means 5.2 %).
struct CMCUSDQuote: Decodable, Sendable, Equatable {
    var price: Double?
    var volume24h: Double?
    var marketCap: Double?
    var fullyDilutedMarketCap: Double?
    var percentChange1h: Double?
    var percentChange24h: Double?
    var percentChange7d: Double?
    var percentChange30d: Double?
    var lastUpdated: String?

    enum CodingKeys: String, CodingKey {
        case symbol, price
        case volume24h = "volume_24h", marketCap = "market_cap", fullyDilutedMarketCap = "fully_diluted_market_cap"
        case percentChange1h = "percent_change_1h", percentChange24h = "percent_change_24h"
        case percentChange7d = "percent_change_7d", percentChange30d = "percent_change_30d"
        case lastUpdated = "last_updated"
    }

    init(price: Double? = nil, volume24h: Double? = nil, marketCap: Double? = nil, fullyDilutedMarketCap: Double? = nil,
         percentChange1h: Double? = nil, percentChange24h: Double? = nil, percentChange7d: Double? = nil,
         percentChange30d: Double? = nil, lastUpdated: String? = nil) {
        self.price = price
        self.volume24h = volume24h
        self.marketCap = marketCap
        self.fullyDilutedMarketCap = fullyDilutedMarketCap
        self.percentChange1h = percentChange1h
        self.percentChange24h = percentChange24h
        self.percentChange7d = percentChange7d
        self.percentChange30d = percentChange30d
        self.lastUpdated = lastUpdated
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double? {
            guard let value = try container.decodeIfPresent(Double.self, forKey: key), value.isFinite else { return nil }
            return value
        }
        price = try number(.price)
        volume24h = try number(.volume24h)
        marketCap = try number(.marketCap)
        fullyDilutedMarketCap = try number(.fullyDilutedMarketCap)
        percentChange1h = try number(.percentChange1h)
        percentChange24h = try number(.percentChange24h)
        percentChange7d = try number(.percentChange7d)
        percentChange30d = try number(.percentChange30d)
        lastUpdated = try container.decodeIfPresent(String.self, forKey: .lastUpdated)
    }

    /// `last_updated` as a date, when present and well formed.
    var lastUpdatedDate: Date? { lastUpdated.flatMap(CMCDate.parse) }
}

/// A tag: a plain slug string (listings) or a `{slug, name, category}` object (v3 quotes, v2 captures).
struct CMCTag: Decodable, Sendable, Equatable {
    var slug: String?
    var name: String?

    init(slug: String?, name: String? = nil) {
        self.slug = slug
        self.name = name
    }

    private enum CodingKeys: String, CodingKey { case slug, name }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(slug: text)
        } else {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(slug: try container.decodeIfPresent(String.self, forKey: .slug),
                      name: try container.decodeIfPresent(String.self, forKey: .name))
        }
    }

    /// Every spelling of this tag worth matching (`Distributed Computing` and `distributed-computing`).
    var spellings: [String] { [slug, name].compactMap { $0 } }
}

// MARK: - macro

struct CMCFearGreed: Decodable, Sendable, Equatable {
    var value: Double
    var valueClassification: String?

    enum CodingKeys: String, CodingKey { case value, valueClassification = "value_classification" }
}

struct CMCAltcoinSeason: Decodable, Sendable, Equatable {
    var altcoinIndex: Double

    enum CodingKeys: String, CodingKey { case altcoinIndex = "altcoin_index" }
}

// MARK: - /v1/key/info

struct CMCKeyInfo: Decodable, Sendable, Equatable {
    struct Usage: Decodable, Sendable, Equatable {
        struct Credits: Decodable, Sendable, Equatable {
            var creditsUsed: Int?
            var creditsLeft: Int?

            enum CodingKeys: String, CodingKey { case creditsUsed = "credits_used", creditsLeft = "credits_left" }
        }

        var currentDay: Credits?
        var currentMonth: Credits?

        enum CodingKeys: String, CodingKey { case currentDay = "current_day", currentMonth = "current_month" }
    }

    struct Plan: Decodable, Sendable, Equatable {
        var creditLimitMonthly: Int?

        enum CodingKeys: String, CodingKey { case creditLimitMonthly = "credit_limit_monthly" }
    }

    var plan: Plan?
    var usage: Usage?
}

/// CoinMarketCap's ISO 8601 timestamps, with or without milliseconds.
enum CMCDate {
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
