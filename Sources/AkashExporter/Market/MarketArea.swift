import FoundationEssentials
import Exposition
import ExporterKit

/// Market signals from CoinMarketCap: the AKT trace and score, the macro regime, the DePIN sector and the
/// credit budget. CoinMarketCap is the signal layer only: it never prices compute.
public final class MarketArea: ExporterArea {
    public let sources: [any PolledSource]
    public let collectors: [any MetricsCollector]
    private let quotes: LastGood<QuotesSnapshot>

    /// The area's sources, for the registry.
    static let declarations = [MapSource.declaration, QuotesSource.declaration, MacroSources.fearGreed,
                               MacroSources.altcoinSeason, ListingsSource.declaration, KeyInfoSource.declaration]

    /// - Parameter clock: the exporter's clock, on which the credit plan (and the month's reset) depends.
    public init(config: MarketConfig, state: StateStore, logger: Logger, clock: @escaping @Sendable () -> Date) {
        let marketState = MarketState(store: state)
        let client = CoinMarketCapClient(baseURL: config.baseURL, apiKey: config.apiKey, timeout: config.timeout,
                                         state: marketState, keyAlarm: KeyRejectionLog(logger: logger))
        let keyInfo = LastGood<CMCKeyInfo>(pollInterval: MarketSchedule.keyInfoInterval)
        let schedule = MarketSchedule(config: config, state: marketState, keyInfo: keyInfo, clock: clock)
        // Intervals move with the credit plan (budget spent, other users of the key), so the age limit follows
        // the plan in force when the data is read, not the one at start-up. A spent budget pauses polling until
        // the month turns; the age limit stays at the slowest useful pace all the same, so a weeks-old AKT price
        // never prices uakt leases (an explicit interval flag is the user's choice and is honoured).
        func box<Value>(_ consumer: CreditPlanner.Consumer) -> LastGood<Value> {
            let ceiling = config.intervalOverrides[consumer] ?? CreditPlanner.paces[consumer]!.slowest
            return LastGood(pollInterval: { now in min(schedule.interval(consumer, now: now), ceiling) })
        }
        quotes = box(.quotes)
        guard config.enabled else {
            sources = []
            collectors = []
            logger.info("CoinMarketCap disabled (--cmc.enabled=false): no market signals")
            return
        }
        let fearGreed: LastGood<CMCFearGreed> = box(.macro)
        let altcoinSeason: LastGood<CMCAltcoinSeason> = box(.macro)
        let listings: LastGood<[DePINAsset]> = box(.listings)
        let resolver = SymbolResolver(sector: config.sector, pinned: config.pinnedIDs, client: client, state: marketState, logger: logger)
        let macro = MacroCollector(fearGreed: fearGreed, altcoinSeason: altcoinSeason)

        var sources: [any PolledSource] = []
        if !resolver.unresolved.isEmpty { sources.append(MapSource(resolver: resolver)) }
        sources.append(QuotesSource(resolver: resolver, client: client, state: marketState, schedule: schedule, box: quotes))
        sources.append(MacroSources.fearGreedSource(client: client, schedule: schedule, box: fearGreed))
        sources.append(MacroSources.altcoinSeasonSource(client: client, schedule: schedule, box: altcoinSeason))
        sources.append(ListingsSource(client: client, schedule: schedule, depinTags: config.depinTags, sector: Set(config.sector), box: listings))
        if config.apiKey != nil { sources.append(KeyInfoSource.make(client: client, box: keyInfo)) }
        self.sources = sources
        collectors = [QuotesCollector(box: quotes), macro, AKTSignalsCollector(quotes: quotes, macro: macro),
                      ListingsCollector(box: listings), CreditsCollector(schedule: schedule, keyInfo: keyInfo)]

        let pace = schedule.describe(now: clock())
        logger.info(pace.message, pace.fields)
    }

    /// AKT's USD price while the last quote is fresh; the account area converts uakt lease prices with it.
    public func aktPriceUSD(now: Date) -> Double? {
        quotes.value(now: now)?.akt?.usd?.price
    }
}
