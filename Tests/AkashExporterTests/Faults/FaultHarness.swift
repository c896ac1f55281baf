import Foundation
import Synchronization
@testable import AkashExporter
import ExporterKit
import Exposition
import TestSupport

/// The exporter wired the way `Exporter.init` wires it: flags parsed by `ExporterConfig.parse`, the real market,
/// compute and account areas, the real URLSession client, a `SourceRunner` and the self metrics. Two things
/// differ, both so that a test controls time: the runner reads a clock the test sets, and the exposition is
/// rendered from the collectors at an explicit `now` (what the publisher does with `Date()`).
final class ExporterUnderTest: Sendable {
    /// 2026-05-26T12:05:00Z, a minute after the fixtures' `last_updated`.
    static let start = Date(timeIntervalSince1970: 1_779_797_100)
    /// Every poll interval that has a flag, at one minute, so that every box's max age is 3 minutes (key info
    /// has a fixed 5-minute interval). A sector symbol CoinMarketCap does not know keeps `cmc_map` asking on
    /// every poll, as it does for a user's typo; a fully resolved sector never calls `/map` again.
    static let oneMinutePolls = [
        "--cmc.sector=AKT,RENDER,FIL,HNT,NOSUCHCOIN", "--cmc.quotes-interval=1m", "--cmc.macro-interval=1m",
        "--cmc.listings-interval=1m", "--akash.prices-interval=1m", "--akash.capacity-interval=1m",
        "--akash.providers-interval=1m", "--akash.account-interval=1m",
    ]

    let logs = LogCapture()
    let state: StateStore
    let health: HealthRegistry
    let runner: SourceRunner
    let collectors: [any MetricsCollector]
    let sourceNames: [String]
    private let clock = SetClock(ExporterUnderTest.start)

    /// - Parameters:
    ///   - arguments: command-line flags (later ones win, as on a real command line).
    ///   - only: poll just these sources (the backoff tests follow one source's schedule on its own clock).
    ///   - timing: the runner's clock; by default the one `poll(at:)` sets.
    init(arguments: [String], environment: [String: String], only: Set<String>? = nil,
         timing: SourceRunner.Timing? = nil) throws {
        guard case .run(let config) = try ExporterConfig.parse(arguments: arguments, environment: environment) else {
            throw ConfigError("expected a run configuration")
        }
        let logger = logs.logger
        state = StateStore(path: config.core.stateFile, logger: logger)
        state.load()
        let areas = Exporter.areas(config: config, state: state, logger: logger)
        let sources = areas.flatMap(\.sources).filter { only?.contains($0.name) ?? true }
        sourceNames = sources.map(\.name)
        health = HealthRegistry(sources: sourceNames)
        collectors = areas.flatMap(\.collectors)
            + [SelfMetricsCollector(health: health, version: BuildInfo.version, swiftVersion: BuildInfo.swiftVersion)]
        let clock = clock
        runner = SourceRunner(sources: sources, upstream: CurlUpstream(), health: health, state: state,
                              logger: logger,
                              timing: timing ?? SourceRunner.Timing(now: { clock.now }, sleep: { _ in },
                                                                    jitter: { 0 }))
    }

    /// The exporter against `upstreams` (every area there unless redirected by `extra` flags), with a key.
    convenience init(_ upstreams: FakeUpstream, _ extra: [String] = [], apiKey: String = AppFakes.apiKey,
                     only: Set<String>? = nil, timing: SourceRunner.Timing? = nil) throws {
        try self.init(arguments: ["--state.file="] + AppFakes.upstreamFlags(upstreams) + Self.oneMinutePolls + extra,
                      environment: ["CMC_API_KEY": apiKey], only: only, timing: timing)
    }

    /// One round: every source polled once, concurrently, at `now`. True when all succeeded.
    func poll(at now: Date) async -> Bool {
        clock.now = now
        return await runner.runOnce()
    }

    /// The whole `/metrics` body as it would be rendered at `now`.
    func scrape(at now: Date) throws -> Scrape {
        Scrape(text: try TextFormat.renderString(collectors.flatMap { $0.collect(now: now) }))
    }

    /// Sources whose last poll failed, with their error: what a failed `#expect` should show.
    var down: String {
        health.snapshot.filter { $0.up == false }.map { "\($0.name): \($0.lastError ?? "")" }.joined(separator: "; ")
    }
}

/// Time as the test sets it.
final class SetClock: Sendable {
    private let date: Mutex<Date>

    init(_ date: Date) {
        self.date = Mutex(date)
    }

    var now: Date {
        get { date.withLock { $0 } }
        set { date.withLock { $0 = newValue } }
    }
}

/// A rendered exposition, read the way a user reads `/metrics`: by series.
struct Scrape: Sendable, CustomStringConvertible {
    let text: String

    var description: String { text }

    /// The value of one series, written exactly as rendered (`name{label="v"}`); nil when absent.
    func value(_ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Sample lines (no comments) of the series that start with one of `prefixes`.
    func samples(_ prefixes: [String]) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            !line.hasPrefix("#") && prefixes.contains { line.hasPrefix($0) }
        }
    }

    func up(_ source: String) -> Double? {
        value("akash_exporter_source_up{source=\"\(source)\"}")
    }

    func failures(_ source: String, _ reason: FailureReason) -> Double? {
        value("akash_exporter_source_failures_total{source=\"\(source)\",reason=\"\(reason.rawValue)\"}")
    }

    /// Every reason's count for `source`, the zeros included (they are exported from the start).
    func failureCounts(_ source: String) -> [FailureReason: Double] {
        Dictionary(uniqueKeysWithValues: FailureReason.allCases.map { ($0, failures(source, $0) ?? -1) })
    }
}

