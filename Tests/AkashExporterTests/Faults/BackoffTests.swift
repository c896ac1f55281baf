import Foundation
import Synchronization
import Testing
@testable import AkashExporter
import ExporterKit
import TestSupport

/// No hammering: the requests a broken upstream sees over hours of virtual time, against the healthy schedule.
/// Every source is scheduled by the same `SourceRunner` and `RetryPolicy`, so two representative sources cover
/// them all: a Console endpoint (plain backoff), a chain one (`Retry-After`) and a CoinMarketCap one (its
/// `Retry-After`, a rejected key, exhausted credits). Each runs alone on its own virtual clock (one clock per poll loop).
@Suite("Backoff against a broken upstream")
struct BackoffTests {
    /// The times (seconds since the start) at which the fake saw a request on one path.
    final class RequestTimes: Sendable {
        private let times = Mutex<[Double]>([])
        let clock: VirtualTime

        init(clock: VirtualTime) {
            self.clock = clock
        }

        func record() {
            let now = clock.now.timeIntervalSince(ExporterUnderTest.start)
            times.withLock { $0.append(now) }
        }

        func count(in window: Range<Double>) -> Int {
            times.withLock { $0.count { window.contains($0) } }
        }
    }

    /// Runs one source alone until the clock's horizon.
    static func run(_ source: SourceUnderTest, on fake: FakeUpstream, clock: VirtualTime) async throws -> ExporterUnderTest {
        let exporter = try ExporterUnderTest(fake, only: [source.name], timing: clock.timing)
        exporter.runner.start()
        // Hours of virtual time are a few hundred polls: quick alone, but the fault matrix runs beside this suite
        // and keeps both cores busy, so the bound is generous (it is not a speed goal).
        #expect(await eventually(within: 180) { clock.reachedHorizon })
        await exporter.runner.stop()
        return exporter
    }

    @Test("a Console endpoint failing for an hour is asked 16 times, not 60; healed, every minute again")
    func consoleBackoffAndRecovery() async throws {
        let source = SourceUnderTest.named("akash_network_capacity")
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let clock = VirtualTime(start: ExporterUnderTest.start, horizon: 2 * 3600)
        let requests = RequestTimes(clock: clock)
        let healsAt = ExporterUnderTest.start.addingTimeInterval(3600)
        fake.route(source.path) { _ in
            requests.record()
            return clock.now < healsAt ? .status(500) : .fixture(source.fixture)
        }

        let exporter = try await Self.run(source, on: fake, clock: clock)

        // Broken: at 0, 10, 30, 70, 150, 310 s, then every 5 min (the cap). Healed: the 1-minute interval.
        #expect(requests.count(in: 0..<3600) == 16)
        #expect(requests.count(in: 3600..<7200) == 60)
        #expect(Array(clock.waits.prefix(6)) == [10, 20, 40, 80, 160, 300])
        #expect(clock.waits.dropFirst(6).prefix(10).allSatisfy { $0 == 300 })
        #expect(clock.waits.dropFirst(16).allSatisfy { $0 == 60 })
        let scrape = try exporter.scrape(at: clock.now)
        #expect(scrape.failures(source.name, .http) == 16)
        #expect(scrape.up(source.name) == 1)
        #expect(!scrape.samples(source.series).isEmpty)
    }

    /// What the upstream says decides the pace: at least its `Retry-After` (chain and Console alike), half an hour
    /// for a rejected key, the next UTC midnight when the daily credits are gone (the start is 12:05 UTC).
    @Test("the pace follows what the upstream said", arguments: [
        ("cmc_fear_greed", UpstreamFaultReply.cmcRetryAfter600, 600.0, 6),
        ("akash_leases", UpstreamFaultReply.retryAfter600, 600.0, 6),
        ("cmc_fear_greed", UpstreamFaultReply.keyInvalid, 1800.0, 2),
        ("cmc_fear_greed", UpstreamFaultReply.dailyCreditsGone, 11 * 3600.0 + 55 * 60, 1),
    ])
    func paceFollowsTheUpstream(_ name: String, _ reply: UpstreamFaultReply, wait: Double, requestsInAnHour: Int) async throws {
        let source = SourceUnderTest.named(name)
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let clock = VirtualTime(start: ExporterUnderTest.start, horizon: 3600)
        let requests = RequestTimes(clock: clock)
        fake.route(source.path) { _ in
            requests.record()
            return reply.reply
        }

        let exporter = try await Self.run(source, on: fake, clock: clock)

        // The healthy schedule would be 60 polls in this hour.
        #expect(requests.count(in: 0..<3600) == requestsInAnHour)
        #expect(clock.waits.allSatisfy { $0 == wait }, "\(clock.waits)")
        #expect(try exporter.scrape(at: clock.now).failures(source.name, reply.reason) == Double(requestsInAnHour))
    }
}

/// Error answers the backoff test replays.
enum UpstreamFaultReply: String, Sendable, CustomStringConvertible {
    case retryAfter600 = "429 with Retry-After: 600"
    case cmcRetryAfter600 = "429 error 1008 with Retry-After: 600"
    case keyInvalid = "401 error 1001"
    case dailyCreditsGone = "429 error 1009"

    var description: String { rawValue }

    var reply: FakeReply {
        switch self {
        case .retryAfter600: .status(429, headers: ["Retry-After": "600"])
        case .cmcRetryAfter600: .cmcError(1008, status: 429, headers: ["Retry-After": "600"])
        case .keyInvalid: .cmcError(1001, status: 401)
        case .dailyCreditsGone: .cmcError(1009, status: 429)
        }
    }

    var reason: FailureReason {
        switch self {
        case .retryAfter600, .cmcRetryAfter600: .rateLimited
        case .keyInvalid: .auth
        case .dailyCreditsGone: .creditsExhausted
        }
    }
}
