import FoundationEssentials
import Synchronization
import ExporterKit

/// Resolves the tracked symbols to CoinMarketCap ids: `--cmc.ids` first, then ids saved in the state file,
/// then `/v1/cryptocurrency/map` (free of credits) for the rest, whose answer is saved.
final class SymbolResolver: Sendable {
    let sector: [String]
    let pinned: [String: Int]
    let client: CoinMarketCapClient
    let state: MarketState
    let logger: Logger
    /// When a look-up last ran, so that a symbol CoinMarketCap does not know is not looked up on every poll.
    private let lastLookup = Mutex<Date?>(nil)
    static let retryUnresolvedAfter = 3600.0

    init(sector: [String], pinned: [String: Int], client: CoinMarketCapClient, state: MarketState, logger: Logger) {
        self.sector = sector
        self.pinned = pinned
        self.client = client
        self.state = state
        self.logger = logger
    }

    /// Ids of the sector's symbols known so far.
    var ids: [String: Int] {
        let saved = state.resolvedIDs
        return Dictionary(uniqueKeysWithValues: sector.compactMap { symbol in (pinned[symbol] ?? saved[symbol]).map { (symbol, $0) } })
    }

    var unresolved: [String] {
        let known = ids
        return sector.filter { known[$0] == nil }
    }

    /// Looks up the unresolved symbols, unless that was tried less than an hour ago (`force` ignores that).
    func resolve(_ context: PollContext, force: Bool) async throws(SourceFailure) {
        let missing = unresolved
        guard !missing.isEmpty else { return }
        if !force, let last = lastLookup.withLock({ $0 }), context.now.timeIntervalSince(last) < Self.retryUnresolvedAfter { return }
        lastLookup.withLock { $0 = context.now }
        let entries = try await client.get(MapSource.path, query: [("symbol", missing.joined(separator: ","))],
                                           as: [CMCMapEntry].self, what: "map", context)
        let found = Self.pick(entries, for: missing)
        state.storeIDs(found)
        let stillMissing = missing.filter { found[$0] == nil }
        if !stillMissing.isEmpty {
            logger.warn("CoinMarketCap knows no usable id for these symbols; set them with --cmc.ids",
                        ["symbols": stillMissing.joined(separator: ",")])
        }
    }

    /// Symbols are not unique. AKT is the entry whose slug contains `akash` (a bridged or copycat AKT with a
    /// better rank must not win); any other symbol is its active entry with the best rank (lowest id on a tie).
    static func pick(_ entries: [CMCMapEntry], for symbols: [String]) -> [String: Int] {
        var ids: [String: Int] = [:]
        for symbol in symbols {
            var candidates = entries.filter { $0.symbol.uppercased() == symbol && $0.isActive != 0 }
            if symbol == "AKT" { candidates = candidates.filter { $0.slug.lowercased().contains("akash") } }
            let best = candidates.min { lhs, rhs in
                let (left, right) = (lhs.rank ?? .max, rhs.rank ?? .max)
                return left != right ? left < right : lhs.id < rhs.id
            }
            ids[symbol] = best?.id
        }
        return ids
    }
}

/// `cmc_map`: resolves the sector's ids once (the quotes source also does it on its own when it runs first).
struct MapSource: PolledSource {
    static let path = "/v1/cryptocurrency/map"
    /// No series of its own: the ids it resolves go to the state file and never expire. Made only while a
    /// symbol is unresolved; a fully resolved sector never calls `/map` again.
    static let declaration = Source(
        name: "cmc_map", api: .coinMarketCap, endpoints: [.init(path)],
        summary: "`GET /v1/cryptocurrency/map?symbol=...` (0 credits); ids cached in the state file, skipped with `--cmc.ids`",
        schedule: "daily (ids kept in the state file)", intervalFlag: nil, timeoutFlag: MarketConfig.timeoutFlag.spec
    ) { setup in
        guard let market = MarketShared.of(setup), !market.resolver.unresolved.isEmpty else { return nil }
        return MadeSource(MapSource(resolver: market.resolver))
    }

    let resolver: SymbolResolver
    var name: String { "cmc_map" }
    var interval: Double { MarketSchedule.mapInterval }

    func poll(_ context: PollContext) async throws(SourceFailure) {
        try await resolver.resolve(context, force: true)
    }
}
