import Foundation
import Testing
@testable import AkashExporter
import ExporterKit
import TestSupport

/// Each source of the running exporter against each upstream fault, on loopback. In every case the source goes
/// down and its failure is counted under the right reason, the other sources stay up, its last good series stay
/// exactly as they were until their max age and then disappear, and the next poll after the upstream heals
/// brings it back. Every case has its own fake upstream (its own port), so the cases run in parallel.
@Suite("Upstream faults")
struct UpstreamFaultTests {
    /// Rounds of polls: healthy, broken a minute later, healed a minute after that.
    static let healthyAt = ExporterUnderTest.start
    static let brokenAt = healthyAt.addingTimeInterval(60)
    static let healedAt = healthyAt.addingTimeInterval(120)

    @Test("a fault takes the source down under the right reason; the rest stays up; last good until max age; recovery",
          arguments: SourceUnderTest.all, UpstreamFault.allCases)
    func fault(_ source: SourceUnderTest, _ fault: UpstreamFault) async throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let exporter = try ExporterUnderTest(fake, fault.flags(for: source))
        let healthy = try await Self.healthyRound(exporter, source)

        AppFakes.routeEverything(on: fake, breaking: source.declaration, with: fault.reply(for: source))
        #expect(await exporter.poll(at: Self.brokenAt) == false)
        try Self.expectDown(exporter, source, reason: fault.reason, lastGood: healthy, alsoDown: source.sharingRequests)

        AppFakes.routeEverything(on: fake)
        try await Self.expectRecovery(exporter, source, lastGood: healthy)
    }

    @Test("an empty answer: a failure where nothing is not an answer, otherwise exactly the documented series",
          arguments: SourceUnderTest.all)
    func emptyAnswer(_ source: SourceUnderTest) async throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let exporter = try ExporterUnderTest(fake)
        let healthy = try await Self.healthyRound(exporter, source)

        AppFakes.routeEverything(on: fake, breaking: source.declaration, with: .json(Data(source.emptyBody.utf8)))
        switch source.empty {
        case .fails(let reason):
            #expect(await exporter.poll(at: Self.brokenAt) == false)
            try Self.expectDown(exporter, source, reason: reason, lastGood: healthy, alsoDown: source.sharingRequests)
        case .valid(let lines):
            #expect(await exporter.poll(at: Self.brokenAt), "down: \(exporter.down)")
            let scrape = try exporter.scrape(at: Self.brokenAt)
            #expect(scrape.up(source.name) == 1)
            #expect(scrape.samples(source.series) == lines)
        }
        if source.name == "cmc_map" {
            #expect(exporter.logs.lines.contains { $0.contains("CoinMarketCap knows no usable id for these symbols") })
        }

        AppFakes.routeEverything(on: fake)
        try await Self.expectRecovery(exporter, source, lastGood: healthy)
    }

    /// Connection refused: the API's upstream was there for the first round, then its port closed. Every source
    /// calling it is down (`connection`) and keeps its last good series until their max age; the other APIs'
    /// sources stay up. (Recovery is not replayed here: the fake cannot listen on the same port again. It is the same
    /// runner path the other faults cover.)
    @Test("connection refused takes down one API's sources and no other", arguments: Source.apis(SourceRegistry.all))
    func connectionRefused(_ api: UpstreamAPI) async throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let closing = try AppFakes.allUpstreams()
        defer { closing.stop() }
        let exporter = try ExporterUnderTest(fake, [api.urlFlag(closing)])
        let inArea = SourceUnderTest.all.filter { $0.api == api }
        var healthy: [String: [String]] = [:]
        for source in inArea { healthy[source.name] = try await Self.healthyRound(exporter, source) }

        closing.stop()
        #expect(await exporter.poll(at: Self.brokenAt) == false)
        for source in inArea {
            try Self.expectDown(exporter, source, reason: .connection, lastGood: healthy[source.name]!,
                                alsoDown: Set(inArea.map(\.name)))
        }
    }

    // MARK: - Steps shared by the cases

    /// First round, everything healthy: every source up and the source's series present. Returns them.
    static func healthyRound(_ exporter: ExporterUnderTest, _ source: SourceUnderTest) async throws -> [String] {
        if exporter.health.health(of: source.name)?.hasBeenPolled != true {
            #expect(await exporter.poll(at: healthyAt), "down: \(exporter.down)")
        }
        let lines = try exporter.scrape(at: healthyAt).samples(source.series)
        #expect(lines.isEmpty == source.series.isEmpty, "\(source.name) has no series in a healthy scrape")
        return lines
    }

    /// After the broken round: the source down with exactly one failure under `reason`, every other source up,
    /// its series unchanged until `maxAge` after the last success and gone just after.
    static func expectDown(_ exporter: ExporterUnderTest, _ source: SourceUnderTest, reason: FailureReason,
                           lastGood: [String], alsoDown: Set<String> = []) throws {
        let scrape = try exporter.scrape(at: brokenAt)
        #expect(scrape.up(source.name) == 0)
        var expected = Dictionary(uniqueKeysWithValues: Exporter.failureReasons.map { ($0, 0.0) })
        expected[reason] = 1
        #expect(scrape.failureCounts(source.name) == expected, "\(exporter.down)")
        for other in exporter.sourceNames where other != source.name && !alsoDown.contains(other) {
            #expect(scrape.up(other) == 1, "\(other) went down with \(source.name): \(exporter.down)")
        }
        #expect(scrape.samples(source.series) == lastGood)
        guard !source.series.isEmpty else { return }
        let lastSuccess = healthyAt
        let maxAge = exporter.maxAge(of: source.name)
        #expect(try exporter.scrape(at: lastSuccess.addingTimeInterval(maxAge)).samples(source.series) == lastGood)
        #expect(try exporter.scrape(at: lastSuccess.addingTimeInterval(maxAge + 1)).samples(source.series) == [])
    }

    /// The round after the upstream healed: everything up again with fresh series, no step by hand.
    static func expectRecovery(_ exporter: ExporterUnderTest, _ source: SourceUnderTest, lastGood: [String]) async throws {
        #expect(await exporter.poll(at: healedAt), "down after healing: \(exporter.down)")
        let scrape = try exporter.scrape(at: healedAt)
        #expect(scrape.up(source.name) == 1)
        #expect(scrape.samples(source.series) == lastGood)
        // Served again for a full max age from the new success.
        #expect(try exporter.scrape(at: healedAt.addingTimeInterval(exporter.maxAge(of: source.name))).samples(source.series)
                == lastGood)
    }
}
