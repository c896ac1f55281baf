import Foundation
import Synchronization
import Testing
@testable import AkashExporter
import ExporterKit
import Exposition
import TestSupport

/// The real sources and the real HTTP client against a fake Console on loopback, under a path prefix the way a
/// user's `--akash.console-url=http://127.0.0.1:P/console` would put it.
@Suite("Compute: fake Console on loopback")
struct ComputeLoopbackTests {
    /// How the fake Console breaks `/v1/gpu-prices`, and the failure reason the exporter must count.
    enum Fault: String, CaseIterable, Sendable {
        case serverError, hang, truncatedTransfer, truncatedJSON, closedWithoutAnswer

        func reply() throws -> FakeReply {
            let body = try Fixtures.data("akash/gpu-prices.json")
            switch self {
            case .serverError: return .json(Data(#"{"error":"internal"}"#.utf8), status: 500)
            case .hang: return .hang
            case .truncatedTransfer: return .truncated(body)
            case .truncatedJSON: return .json(body.prefix(body.count / 2))
            case .closedWithoutAnswer: return .closeImmediately
            }
        }

        var reason: FailureReason {
            switch self {
            case .serverError: .http
            case .hang: .timeout
            case .truncatedTransfer, .closedWithoutAnswer: .connection
            case .truncatedJSON: .decode
            }
        }
    }

    /// A Console serving every endpoint from the recorded samples, and an area pointed at it, polled the way the
    /// exporter polls: through the `SourceRunner`, which records up, failures by reason and requests.
    struct Setup {
        let console: FakeUpstream
        let area: MadeSources
        let client = CurlUpstream()
        let health = HealthRegistry(sources: [])
        let clock = SettableClock()

        init() throws {
            console = try FakeUpstream()
            console.route("/console/v1/gpu-prices", .fixture("akash/gpu-prices.json"))
            console.route("/console/v1/network-capacity", .fixture("akash/network-capacity.json"))
            console.route("/console/v1/providers", .fixture("akash/providers.json"))
            // Short timeouts so the hang case ends quickly (the defaults are 30 s and 10 s). Not under 1 s: URLSession
            // on Linux truncates its timeout to whole seconds, and 0 s times out at once, at random.
            area = ComputeArea.make(config: ComputeConfig(consoleURL: console.baseURL.appendingPathComponent("console"),
                                                     pricesTimeout: 1, consoleTimeout: 1))
        }

        /// One recorded poll of source `name` with the clock at `now`; whether it succeeded.
        func poll(_ name: String, at now: Date) async -> Bool {
            clock.set(now)
            let timing = SourceRunner.Timing(now: { clock.now }, sleep: { _ in }, jitter: { 0 })
            let quiet = ComputeTest.quiet
            let runner = SourceRunner(sources: [area.source(name)], upstream: client, health: health,
                                      state: StateStore(path: nil, logger: quiet), logger: quiet, timing: timing)
            return await runner.runOnce()
        }

        func health(_ name: String) -> SourceHealth {
            health.health(of: name) ?? SourceHealth(name: name)
        }

        func h100Median(at now: Date) -> Double? {
            Samples.value(area.collect(now: now), "akash_gpu_bid_price_usd_per_hour",
                   ["vendor": "nvidia", "model": "h100", "ram": "80Gi", "interface": "SXM5", "stat": "median"])
        }
    }

    @Test("every source polls its endpoint under the path prefix and exports what it got")
    func success() async throws {
        let setup = try Setup()
        defer { setup.console.stop() }
        for name in [GPUPrices.declaration.name, NetworkCapacity.declaration.name, ProviderList.declaration.name] {
            #expect(await setup.poll(name, at: ComputeTest.pollTime), "\(name): \(setup.health(name).lastError ?? "")")
            #expect(setup.health(name).up == true)
            #expect(setup.health(name).lastSuccess == ComputeTest.pollTime)
        }
        let families = setup.area.collect(now: ComputeTest.pollTime)
        #expect(setup.h100Median(at: ComputeTest.pollTime) == 2.56)
        #expect(Samples.value(families, "akash_network_cpu_cores", ["state": "active"]) == 2858.03)
        #expect(Samples.value(families, "akash_providers", ["state": "active"]) == 60)
        #expect(Samples.value(families, "akash_providers", ["state": "online"]) == 1)
        #expect(setup.console.requests.map(\.path).sorted()
                == ["/console/v1/gpu-prices", "/console/v1/network-capacity", "/console/v1/providers"])
        #expect(setup.console.requests.allSatisfy { $0.method == "GET" && $0.header("accept") == "application/json" })
        #expect(setup.health.snapshot.map(\.requests) == [1, 1, 1])
    }

    @Test("a failing Console: the right reason, last good values kept until their max age, recovery when healed",
          arguments: Fault.allCases)
    func failureAndRecovery(_ fault: Fault) async throws {
        let setup = try Setup()
        defer { setup.console.stop() }
        #expect(await setup.poll(GPUPrices.declaration.name, at: ComputeTest.pollTime))

        setup.console.route("/console/v1/gpu-prices", try fault.reply())
        #expect(await setup.poll(GPUPrices.declaration.name, at: ComputeTest.pollTime.addingTimeInterval(900)) == false)
        let down = setup.health(GPUPrices.declaration.name)
        #expect(down.up == false)
        #expect(down.failures == [fault.reason: 1], "\(down.lastError ?? "")")
        #expect(down.lastSuccess == ComputeTest.pollTime)
        #expect(down.requests == 2)
        // Still served: the last good answer is 15 min old, its max age is 3 × 15 min.
        #expect(setup.h100Median(at: ComputeTest.pollTime.addingTimeInterval(2700)) == 2.56)
        #expect(setup.h100Median(at: ComputeTest.pollTime.addingTimeInterval(2701)) == nil)

        setup.console.route("/console/v1/gpu-prices", .fixture("akash/gpu-prices.test-fixture.json"))
        let healed = ComputeTest.pollTime.addingTimeInterval(3600)
        #expect(await setup.poll(GPUPrices.declaration.name, at: healed))
        #expect(setup.health(GPUPrices.declaration.name).up == true)
        let families = setup.area.collect(now: healed)
        #expect(Samples.value(families, "akash_gpu_bid_price_usd_per_hour",
                       ["vendor": "amd", "model": "gpu3", "ram": "8192", "interface": "sxm", "stat": "median"]) == 1.2)
        #expect(setup.h100Median(at: healed) == nil)
    }

    @Test("a provider list over 32 MiB is refused as a decode failure, and the previous counts are kept")
    func oversizedProviderList() async throws {
        let setup = try Setup()
        defer { setup.console.stop() }
        #expect(await setup.poll(ProviderList.declaration.name, at: ComputeTest.pollTime))
        setup.console.route("/console/v1/providers", .large(bytes: ProviderList.maxBodyBytes + 1))
        #expect(await setup.poll(ProviderList.declaration.name, at: ComputeTest.pollTime.addingTimeInterval(300)) == false)
        #expect(setup.health(ProviderList.declaration.name).failures == [.decode: 1])
        let kept = setup.area.collect(now: ComputeTest.pollTime.addingTimeInterval(301))
        #expect(Samples.value(kept, "akash_providers", ["state": "registered"]) == 2)
    }

    /// The runner's clock in these tests: polls happen at the times a test names, whatever the wall clock says.
    final class SettableClock: Sendable {
        private let date = Mutex(ComputeTest.pollTime)

        var now: Date { date.withLock { $0 } }

        func set(_ now: Date) {
            date.withLock { $0 = now }
        }
    }
}
