import FoundationEssentials
import Exposition
import ExporterKit

/// Market signals from CoinMarketCap: the AKT trace and score, the macro regime, the DePIN sector and the
/// credit budget. CoinMarketCap is the signal layer only: it never prices compute (its AKT quote is one feed of the
/// shared `AKTPrice`, which turns uakt amounts into dollars).
public enum MarketArea: SourceArea {
    static let flags = MarketConfig.flags

    static func configure(_ input: ConfigInput) throws(ConfigError) -> MarketConfig {
        try MarketConfig(input.flags, environment: input.environment)
    }

    static let sources = [MapSource.declaration, QuotesSource.declaration, MacroSources.fearGreed,
                          MacroSources.altcoinSeason, ListingsSource.declaration, KeyInfoSource.declaration]
}

/// What the CoinMarketCap sources share, made once per exporter by the first of them: one client (one credit
/// count, one key alarm), one credit plan, one symbol resolver and the boxes the cross-source collectors read.
final class MarketShared: Sendable {
    let config: MarketConfig
    let state: MarketState
    let client: CoinMarketCapClient
    let schedule: MarketSchedule
    let resolver: SymbolResolver
    let keyInfo: LastGood<CMCKeyInfo>
    let quotes: LastGood<QuotesSnapshot>
    let fearGreed: LastGood<CMCFearGreed>
    let altcoinSeason: LastGood<CMCAltcoinSeason>
    let listings: LastGood<[DePINAsset]>
    let macro: MacroCollector

    /// The one of this exporter, made (and its pace logged) on the first call; nil when CoinMarketCap is off.
    static func of(_ setup: SourceSetup) -> MarketShared? {
        guard let config = setup[MarketArea.self] else { return nil }
        let shared = setup.shared.once(MarketShared.self) { MarketShared(config: config, setup.shared) }
        return config.enabled ? shared : nil
    }

    private init(config: MarketConfig, _ shared: SharedDependencies) {
        self.config = config
        let logger = shared.logger
        state = MarketState(store: shared.state)
        client = CoinMarketCapClient(baseURL: config.baseURL, apiKey: config.apiKey, timeout: config.timeout,
                                     state: state, keyAlarm: KeyRejectionLog(logger: logger))
        keyInfo = LastGood<CMCKeyInfo>(pollInterval: MarketSchedule.keyInfoInterval)
        let schedule = MarketSchedule(config: config, state: state, keyInfo: keyInfo, clock: shared.clock)
        self.schedule = schedule
        // Intervals move with the credit plan (budget spent, other users of the key), so the age limit follows
        // the plan in force when the data is read, not the one at start-up. A spent budget pauses polling until
        // the month turns; the age limit stays at the slowest useful pace all the same, so a weeks-old AKT price
        // never prices uakt leases (an explicit interval flag is the user's choice and is honoured).
        func box<Value>(_ consumer: CreditPlanner.Consumer) -> LastGood<Value> {
            let ceiling = config.intervalOverrides[consumer] ?? CreditPlanner.paces[consumer]!.slowest
            return LastGood(pollInterval: { now in min(schedule.interval(consumer, now: now), ceiling) })
        }
        quotes = box(.quotes)
        fearGreed = box(.macro)
        altcoinSeason = box(.macro)
        listings = box(.listings)
        resolver = SymbolResolver(sector: config.sector, pinned: config.pinnedIDs, client: client, state: state, logger: logger)
        macro = MacroCollector(fearGreed: fearGreed, altcoinSeason: altcoinSeason)
        guard config.enabled else {
            logger.info("CoinMarketCap disabled (--cmc.enabled=false): no market signals")
            return
        }
        let quotes = quotes
        shared.aktPrice.feedMarket { now in quotes.value(now: now)?.akt?.usd?.price }
        let pace = schedule.describe(now: shared.clock())
        logger.info(pace.message, pace.fields)
    }
}
