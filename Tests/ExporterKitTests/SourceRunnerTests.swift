import Foundation
import Synchronization
import Testing
import TestSupport
import Exposition
@testable import ExporterKit

@Suite struct SourceRunnerTests {
    let upstream = try! FakeUpstream()
    let health = HealthRegistry(sources: [])
    let log = LogCapture()

    private func source(_ name: String = "test_value", path: String = "/value", interval: Double = 10,
                        timeout: Double = 5, maxAge: Double = 30, state: StateStore? = nil) -> ValueSource {
        ValueSource(name: name, interval: interval, url: upstream.baseURL.appendingAPIPath(path), timeout: timeout,
                    box: LastGood(maxAge: maxAge), state: state)
    }

    private func runner(_ sources: [any PolledSource], timing: SourceRunner.Timing = .system,
                        state: StateStore? = nil, onChange: @escaping @Sendable () -> Void = {}) -> SourceRunner {
        SourceRunner(sources: sources, upstream: CurlUpstream(), health: health,
                     state: state ?? StateStore(path: nil, logger: log.logger()), logger: log.logger(), timing: timing,
                     onChange: onChange)
    }

    private static func reading(_ value: Double) -> FakeReply {
        .json(Data("{\"value\":\(value)}".utf8))
    }

    @Test func failureTakesUpToZeroCountsTheReasonAndKeepsLastGoodUntilMaxAge() async throws {
        defer { upstream.stop() }
        let clock = VirtualTime(horizon: 3600)
        let source = source(maxAge: 30)
        let collector = ValueCollector(source: source.name, box: source.box)
        let runner = runner([source], timing: clock.timing)
        let start = clock.now
        upstream.route("/value", Self.reading(3.5))

        #expect(await runner.runOnce())
        #expect(health.health(of: "test_value")?.up == true)
        #expect(health.health(of: "test_value")?.lastSuccess == start)

        upstream.route("/value", .status(500))
        #expect(await runner.runOnce() == false)
        let after = try #require(health.health(of: "test_value"))
        #expect(after.up == false)
        #expect(after.failures == [.http: 1])
        #expect(after.requests == 2)
        #expect(after.lastSuccess == start)
        // The last good value is served until its max age, then dropped: never a made-up value.
        #expect(try TextFormat.renderString(collector.collect(now: start.addingTimeInterval(30))).contains("test_value{source=\"test_value\"} 3.5"))
        #expect(try TextFormat.renderString(collector.collect(now: start.addingTimeInterval(30.5))) == "")
    }

    @Test func firstPollWaitsARandomOffsetWithinTheSpreadAndTheIntervalAndSaysSo() async throws {
        #expect(SourceRunner.startOffset(interval: 1800, spread: 30, jitter: 0.5) == 15)
        #expect(SourceRunner.startOffset(interval: 10, spread: 30, jitter: 0.5) == 5)  // never past one interval
        #expect(SourceRunner.startOffset(interval: 60, spread: 0, jitter: 0.9) == 0)

        defer { upstream.stop() }
        upstream.route("/value", Self.reading(1))
        // The horizon lets exactly one poll happen (at 5 s; the next wait would reach 65 s), however late this test
        // looks: with room for a second poll a slow observer saw lastSuccess at 65 s.
        let clock = VirtualTime(horizon: 60)
        let timing = SourceRunner.Timing(now: { clock.now }, sleep: clock.sleep, jitter: { 0.25 })
        let start = clock.now
        let runner = SourceRunner(sources: [source(interval: 60)], upstream: CurlUpstream(), health: health,
                                  state: StateStore(path: nil, logger: log.logger()), logger: log.logger(),
                                  timing: timing, startSpread: 20)
        runner.start()
        #expect(await eventually { health.health(of: "test_value")?.up == true })
        await runner.stop()
        #expect(clock.waits.first == 5)
        #expect(health.health(of: "test_value")?.lastSuccess == start.addingTimeInterval(5))
        #expect(log.lines.contains { $0.contains("msg=\"first poll delayed\" source=test_value in=5s") })
    }

    @Test func backsOffWhileTheUpstreamIsBrokenAndRecoversWhenItHeals() async throws {
        defer { upstream.stop() }
        let clock = VirtualTime(horizon: 900)
        let healedAt = clock.now.addingTimeInterval(600)
        let source = source(interval: 10)
        upstream.route("/value") { _ in clock.now < healedAt ? .status(503) : Self.reading(1) }
        let runner = runner([source], timing: clock.timing)

        runner.start()
        // Generous: other suites may keep both cores busy meanwhile (it is not a speed goal).
        #expect(await eventually(within: 180) { clock.reachedHorizon })
        await runner.stop()

        // 10 minutes broken: 6 requests (at 0, 10, 30, 70, 150, 310 s) where a fixed 10 s schedule would send 60;
        // then back to every 10 s once healed, with no manual step.
        #expect(Array(clock.waits.prefix(6)) == [10, 20, 40, 80, 160, 300])
        #expect(clock.waits.dropFirst(6).allSatisfy { $0 == 10 })
        let state = try #require(health.health(of: "test_value"))
        #expect(state.failures == [.http: 6])
        #expect(state.up == true)
        #expect(upstream.requestCount(path: "/value") == 6 + 29)
        #expect(source.box.value(now: clock.now) == 1)
    }

    @Test func slowSourceDoesNotDelayTheOthers() async throws {
        defer { upstream.stop() }
        upstream.route("/slow", .hang)
        upstream.route("/fast", Self.reading(2))
        let slow = source("slow", path: "/slow", interval: 3600, timeout: 60)
        let fast = source("fast", path: "/fast", interval: 3600)
        let runner = runner([slow, fast])

        runner.start()
        #expect(await eventually { health.health(of: "fast")?.up == true })
        #expect(health.health(of: "slow")?.hasBeenPolled == false)
        #expect(health.snapshot.contains { !$0.hasBeenPolled })
        await runner.stop(grace: 0.1)
        #expect(health.health(of: "slow")?.failures == [.connection: 1])
    }

    @Test func stopLetsAPollInFlightFinish() async throws {
        defer { upstream.stop() }
        upstream.route("/value", .delayed(seconds: 0.3, Self.reading(7)))
        let source = source(interval: 3600)
        let runner = runner([source])

        runner.start()
        #expect(await eventually { upstream.requestCount(path: "/value") == 1 })
        await runner.stop(grace: 30)
        #expect(health.health(of: "test_value")?.up == true)
        #expect(source.box.latest?.value == 7)
    }

    @Test func logsOneLinePerFailedPollWithSourceAndReason() async throws {
        defer { upstream.stop() }
        upstream.route("/value", .status(429, headers: ["Retry-After": "30"]))
        let runner = runner([source()])

        #expect(await runner.runOnce() == false)
        #expect(await runner.runOnce() == false)
        let lines = log.lines
        #expect(lines.count == 2)
        #expect(lines.allSatisfy {
            $0.contains("level=warn msg=\"poll failed\" source=test_value reason=rate_limited err=\"value: HTTP 429\"")
        })
    }

    @Test func everyPollSavesChangedStateAndNotifies() async throws {
        defer { upstream.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.json").path
        let store = StateStore(path: path, logger: log.logger())
        let changes = Mutex(0)
        upstream.route("/value", Self.reading(4.25))
        upstream.route("/other", .status(500))
        let runner = runner([source(state: store), source("other", path: "/other")], state: store) {
            changes.withLock { $0 += 1 }
        }

        #expect(await runner.runOnce() == false)
        #expect(changes.withLock { $0 } == 2)
        let reloaded = StateStore(path: path, logger: log.logger())
        reloaded.load()
        #expect(reloaded.get("test_value", as: ValueSource.Reading.self)?.value == 4.25)
    }

    @Test func registersEverySourceBeforeTheFirstPoll() {
        defer { upstream.stop() }
        _ = runner([source("a"), source("b")])
        #expect(health.snapshot.map(\.name) == ["a", "b"])
        #expect(health.snapshot.contains { !$0.hasBeenPolled })
    }
}
