import FoundationEssentials
import Synchronization
import ExporterKit

/// What the market area keeps across restarts, in the state file's `cmc` section: the resolved ids (the
/// `/map` look-up is done once), the last two distinct AKT quotes (momentum) and the credits spent this month.
/// Never the API key.
struct MarketStateSection: Codable, Sendable, Equatable {
    struct Credits: Codable, Sendable, Equatable {
        /// UTC month, `2026-05`.
        var month: String
        var used: Int
    }

    var ids: [String: Int] = [:]
    var aktLatest: AKTQuotePoint?
    var aktPrevious: AKTQuotePoint?
    var credits: Credits?
}

/// The market area's persisted state, shared by its sources. Every change goes into the `StateStore` section;
/// the source runner saves the file after each poll.
final class MarketState: Sendable {
    static let sectionKey = "cmc"

    private let store: StateStore
    private let section: Mutex<MarketStateSection>

    init(store: StateStore) {
        self.store = store
        section = Mutex(store.get(Self.sectionKey, as: MarketStateSection.self) ?? MarketStateSection())
    }

    private func update(_ change: (inout MarketStateSection) -> Void) {
        let changed = section.withLock { current -> MarketStateSection? in
            let before = current
            change(&current)
            return current == before ? nil : current
        }
        guard let changed else { return }
        store.set(Self.sectionKey, changed)
    }

    // MARK: ids

    var resolvedIDs: [String: Int] { section.withLock { $0.ids } }

    func storeIDs(_ ids: [String: Int]) {
        update { $0.ids.merge(ids) { _, new in new } }
    }

    // MARK: AKT quote history

    /// Records AKT's quote and returns the one before it. A quote with the same `last_updated` as the latest
    /// one is the same quote: it replaces nothing.
    func recordAKTQuote(_ point: AKTQuotePoint) -> AKTQuotePoint? {
        var previous: AKTQuotePoint?
        update { state in
            if let latest = state.aktLatest, latest.lastUpdated != nil, latest.lastUpdated == point.lastUpdated {
                previous = state.aktPrevious
                return
            }
            state.aktPrevious = state.aktLatest
            state.aktLatest = point
            previous = state.aktPrevious
        }
        return previous
    }

    // MARK: credit ledger

    /// Adds credits charged by a response, starting a new count when the UTC month changed.
    func addCredits(_ credits: Int, at now: Date) {
        guard credits > 0 else { return }
        let month = UTCCalendar.monthKey(now)
        update { state in
            let used = state.credits?.month == month ? state.credits!.used : 0
            state.credits = .init(month: month, used: used + credits)
        }
    }

    /// Credits counted this UTC month (0 after the month changed, before the first charge of the new one).
    func creditsUsed(at now: Date) -> Int {
        let month = UTCCalendar.monthKey(now)
        return section.withLock { $0.credits?.month == month ? $0.credits!.used : 0 }
    }
}
