import ExporterKit
import FoundationEssentials
import Synchronization

/// `GetLatestBlockResponse` and `GetBlockByHeightResponse`: Cosmos SDK 0.47+ answers with both `block` (CometBFT)
/// and `sdk_block`; either header carries the height and time.
struct LatestBlock: Decodable, Sendable {
    struct Block: Decodable, Sendable {
        struct Header: Decodable, Sendable {
            let height: JSONInteger
            /// RFC 3339 UTC, 0 to 9 fraction digits; absent from some proxies' trimmed answers.
            let time: String?
        }

        let header: Header
    }

    let block: Block?
    let sdkBlock: Block?

    enum CodingKeys: String, CodingKey {
        case block
        case sdkBlock = "sdk_block"
    }

    var height: Int64? { (sdkBlock ?? block)?.header.height.value }

    /// Height and time, nil when either is missing or unreadable.
    var header: BlockHeader? {
        guard let raw = (sdkBlock ?? block)?.header, let time = raw.time.flatMap(RFC3339.parse) else { return nil }
        return BlockHeader(height: raw.height.value, time: time)
    }
}

/// A block's height and the time its proposer gave it.
struct BlockHeader: Sendable, Equatable {
    var height: Int64
    var time: Date
}

/// How per-block amounts become per-hour ones and blocks become runway: a block time measured on the chain, or a
/// fixed one (`--akash.block-time`).
public enum BlockTimeSetting: Sendable, Equatable {
    /// The average of the last `BlockTime.window` blocks, `BlockTime.fallback` until measured or when unknown.
    case measured
    /// Seconds per block.
    case fixed(Double)
}

/// The block time every per-hour figure uses (the tenant's spend and runway, the provider's revenue, network price
/// indexes): the one narrow face they share. The block source feeds measurements; a reader only asks `seconds(at:)`.
final class BlockTime: Sendable {
    /// What the Akash Console API assumes, and what is used while no measurement exists.
    static let fallback = 6.0
    /// Blocks the average is taken over: long enough that one slow block barely moves it, short enough (about 100
    /// minutes) to follow a change in the chain's pace.
    static let window: Int64 = 1000
    /// Seconds between measurements.
    static let measureEvery = 600.0
    /// A measured average outside this is a broken or hostile node (or clock), not a chain: it would scale every
    /// per-hour figure, so it is refused and the fallback stands.
    static let plausible = 1.0...60.0

    let setting: BlockTimeSetting
    private let measurement: LastGood<Double>

    /// A measurement is served for three measuring intervals, as any source's value is.
    init(_ setting: BlockTimeSetting = .fixed(fallback)) {
        self.setting = setting
        measurement = LastGood(pollInterval: Self.measureEvery)
    }

    /// True when the chain's block time is to be measured.
    var measures: Bool { setting == .measured }

    /// Seconds per block for a figure rendered at `now`.
    func seconds(at now: Date) -> Double {
        switch setting {
        case .fixed(let seconds): seconds
        case .measured: measured(at: now) ?? Self.fallback
        }
    }

    /// The measured average while fresh; nil with a fixed block time, before the first measurement, or once the
    /// last one is stale.
    func measured(at now: Date) -> Double? {
        measurement.value(now: now)
    }

    /// Stores the average between two headers; a failure when it is not a plausible block time.
    func record(from older: BlockHeader, to latest: BlockHeader, at now: Date, what: String) throws(SourceFailure) {
        let blocks = latest.height - older.height
        let average = latest.time.timeIntervalSince(older.time) / Double(blocks)
        guard blocks > 0, average.isFinite, Self.plausible.contains(average) else {
            throw SourceFailure(.decode, "\(what): \(blocks) blocks in \(latest.time.timeIntervalSince(older.time)) s is not a plausible block time")
        }
        measurement.set(average, at: now)
    }
}
