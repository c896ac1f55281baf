import FoundationEssentials

// The market signals, as pure functions of decoded CoinMarketCap data. Percent inputs are as CoinMarketCap
// sends them (5.2 means 5.2 %); exported ratios are percent / 100.

/// The AKT signal score: points from its USD quote, minus 15 when the macro regime is not favorable.
public enum AKTScore {
    /// One line of the score table.
    struct Line: Sendable {
        enum Test: Sendable { case above(Double), below(Double) }
        let test: Test
        let points: Double

        func matches(_ value: Double) -> Bool {
            switch test {
            case .above(let threshold): value > threshold
            case .below(let threshold): value < threshold
            }
        }
    }

    /// One block of the table: a value of the quote and its lines; the first matching line counts.
    struct Block: Sendable {
        let value: @Sendable (AKTScore.Inputs) -> Double?
        let lines: [Line]

        func points(_ inputs: AKTScore.Inputs) -> Double {
            guard let value = value(inputs) else { return 0 }
            return lines.first { $0.matches(value) }?.points ?? 0
        }
    }

    /// What the score reads from a quote.
    public struct Inputs: Sendable, Equatable {
        public var percentChange1h: Double?
        public var percentChange24h: Double?
        public var percentChange7d: Double?
        public var volume24hUSD: Double?
        public var marketCapUSD: Double?
        public var marketPairs: Int?

        public init(percentChange1h: Double? = nil, percentChange24h: Double? = nil, percentChange7d: Double? = nil,
                    volume24hUSD: Double? = nil, marketCapUSD: Double? = nil, marketPairs: Int? = nil) {
            self.percentChange1h = percentChange1h
            self.percentChange24h = percentChange24h
            self.percentChange7d = percentChange7d
            self.volume24hUSD = volume24hUSD
            self.marketCapUSD = marketCapUSD
            self.marketPairs = marketPairs
        }
    }

    static let table: [Block] = [
        Block(value: { $0.percentChange24h }, lines: [Line(test: .above(10), points: 30), Line(test: .above(5), points: 20),
                                                      Line(test: .above(2), points: 10), Line(test: .below(-15), points: -25)]),
        Block(value: { $0.percentChange7d }, lines: [Line(test: .above(20), points: 20), Line(test: .above(10), points: 10)]),
        Block(value: { $0.percentChange1h }, lines: [Line(test: .above(2), points: 15), Line(test: .above(0.5), points: 8)]),
        Block(value: { $0.volume24hUSD }, lines: [Line(test: .above(20_000_000), points: 20), Line(test: .above(5_000_000), points: 10)]),
        Block(value: { $0.marketCapUSD }, lines: [Line(test: .above(500_000_000), points: 15), Line(test: .above(100_000_000), points: 8)]),
        Block(value: { $0.marketPairs.map(Double.init) }, lines: [Line(test: .above(30), points: 8), Line(test: .above(10), points: 4)]),
    ]

    public static let unfavorableRegimePenalty = 15.0

    /// A missing value scores no points in its block (the table rewards what is known).
    public static func score(_ inputs: Inputs, regimeFavorable: Bool) -> Double {
        table.reduce(0) { $0 + $1.points(inputs) } - (regimeFavorable ? 0 : unfavorableRegimePenalty)
    }
}

/// Whether the market backdrop favors altcoins.
public enum MacroRegime {
    /// Favorable when fear & greed > 50 and the altcoin season index >= 50; an unknown index counts as 0.
    public static func isFavorable(fearGreed: Double?, altcoinIndex: Double?) -> Bool {
        (fearGreed ?? 0) > 50 && (altcoinIndex ?? 0) >= 50
    }
}

/// AKT's quote as kept for momentum (and in the state file, so momentum survives a restart).
public struct AKTQuotePoint: Codable, Sendable, Equatable {
    public var price: Double
    public var volume24hUSD: Double?
    /// CoinMarketCap's `last_updated`: a new point is taken only when it changes, so polling faster than
    /// CoinMarketCap refreshes does not compare a quote with itself.
    public var lastUpdated: String?

    public init(price: Double, volume24hUSD: Double?, lastUpdated: String?) {
        self.price = price
        self.volume24hUSD = volume24hUSD
        self.lastUpdated = lastUpdated
    }
}

/// How AKT moved between the two last distinct quotes.
public struct Momentum: Sendable, Equatable {
    public var priceChangeRatio: Double
    public var volumeChangeRatio: Double?
    public var accelerating: Bool

    /// nil without a usable previous quote (none yet, or a zero price).
    public init?(previous: AKTQuotePoint?, current: AKTQuotePoint) {
        guard let previous, previous.price > 0 else { return nil }
        priceChangeRatio = (current.price - previous.price) / previous.price
        if let before = previous.volume24hUSD, let now = current.volume24hUSD, before > 0 {
            volumeChangeRatio = (now - before) / before
        } else {
            volumeChangeRatio = nil
        }
        accelerating = current.price > previous.price
    }
}

/// Ranks the tracked sector by 24h change.
public enum SectorRank {
    /// Rank 1 is the strongest 24h change; assets without a 24h change are not ranked. Ties go to the lower id,
    /// so the ranking is stable.
    public static func ranks(_ changes: [(cmcID: Int, percentChange24h: Double?)]) -> [Int: Int] {
        let ranked = changes.compactMap { entry in entry.percentChange24h.map { (entry.cmcID, $0) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Dictionary(uniqueKeysWithValues: ranked.enumerated().map { ($0.element.0, $0.offset + 1) })
    }
}

/// Which listed assets belong to the DePIN sector.
public enum DePINFilter {
    /// Lower case, with every run of spaces and punctuation turned into one `-`: `Distributed Computing`,
    /// `distributed_computing` and `distributed-computing` are one tag, and `AI & Big Data` is `ai-big-data`.
    public static func normalise(_ tag: String) -> String {
        var out = ""
        var pendingDash = false
        for character in tag.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.append(character)
            } else {
                pendingDash = true
            }
        }
        return out
    }

    /// An asset matches when one of its tags (slug or name) is a DePIN tag, or its symbol is in the sector.
    static func matches(_ asset: CMCAsset, depinTags: Set<String>, sector: Set<String>) -> Bool {
        sector.contains(asset.symbol.uppercased())
            || asset.tags.contains { tag in tag.spellings.contains { depinTags.contains(normalise($0)) } }
    }
}

/// One DePIN asset of the latest listings.
public struct DePINAsset: Sendable, Equatable {
    public var cmcID: Int
    public var symbol: String
    public var volume24hUSD: Double?
    public var percentChange24h: Double?
}

public enum DePINTrending {
    public static let size = 10

    /// The matching assets in 24h-volume order (CoinMarketCap sorts them so; sorted again so the result does
    /// not depend on it), unknown volumes last.
    static func matching(_ assets: [CMCAsset], depinTags: Set<String>, sector: Set<String>) -> [DePINAsset] {
        let matched = assets.filter { DePINFilter.matches($0, depinTags: depinTags, sector: sector) }
            .map { DePINAsset(cmcID: $0.id, symbol: $0.symbol, volume24hUSD: $0.usd?.volume24h, percentChange24h: $0.usd?.percentChange24h) }
        return matched.enumerated().sorted { lhs, rhs in
            switch (lhs.element.volume24hUSD, rhs.element.volume24hUSD) {
            case let (left?, right?) where left != right: return left > right
            case (.some, nil): return true
            case (nil, .some): return false
            default: return lhs.offset < rhs.offset
            }
        }.map(\.element)
    }

    /// The first ten, ranked 1...10.
    public static func top(_ matched: [DePINAsset]) -> [(rank: Int, asset: DePINAsset)] {
        matched.prefix(size).enumerated().map { ($0.offset + 1, $0.element) }
    }
}
