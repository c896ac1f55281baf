import Foundation
import Testing
@testable import AkashExporter
import ExporterKit
import Exposition
import TestSupport

@Suite("Compute: configuration, area, golden exposition")
struct ComputeAreaTests {
    static func parse(_ arguments: [String], environment: [String: String] = [:]) throws(ConfigError) -> ComputeConfig {
        try ComputeConfig(AreaTesting.flags(arguments, environment: environment))
    }

    // MARK: Configuration

    @Test("defaults: the public Console, 15m prices, 1m capacity, 30m providers, 30s/10s timeouts")
    func defaults() throws {
        let config = try Self.parse([])
        #expect(config == ComputeConfig())
        #expect(config.enabled)
        #expect(config.consoleURL.absoluteString == "https://console-api.akash.network")
        #expect(config.pricesInterval == 900)
        #expect(config.capacityInterval == 60)
        #expect(config.providersInterval == 1800)
        #expect(config.pricesTimeout == 30)
        #expect(config.consoleTimeout == 10)
    }

    @Test("flags and environment override the defaults")
    func overrides() throws {
        let config = try Self.parse(
            ["--akash.console-url", "http://127.0.0.1:8080/console", "--akash.prices-interval=5m",
             "--akash.console-timeout=250ms", "--no-akash.console-enabled"],
            environment: ["AKASH_EXPORTER_AKASH_CAPACITY_INTERVAL": "30s", "AKASH_EXPORTER_AKASH_PRICES_TIMEOUT": "1m"])
        #expect(config.consoleURL.absoluteString == "http://127.0.0.1:8080/console")
        #expect(config.pricesInterval == 300)
        #expect(config.capacityInterval == 30)
        #expect(config.providersInterval == 1800)
        #expect(config.pricesTimeout == 60)
        #expect(config.consoleTimeout == 0.25)
        #expect(!config.enabled)
    }

    @Test("a bad duration or URL is a ConfigError naming the flag and what is expected")
    func badValues() {
        #expect(throws: ConfigError.invalid("akash.providers-interval", "5 minutes",
                                            expected: "a positive duration such as 30s, 5m or 1h")) {
            try Self.parse(["--akash.providers-interval", "5 minutes"])
        }
        #expect(throws: ConfigError.invalid("akash.prices-timeout", "0s",
                                            expected: "a positive duration such as 30s, 5m or 1h")) {
            try Self.parse(["--akash.prices-timeout=0s"])
        }
        let badURL = #expect(throws: ConfigError.self) {
            try Self.parse(["--akash.console-url", "console-api.akash.network"])
        }
        #expect(badURL?.message.hasPrefix(
            "invalid value \"console-api.akash.network\" for --akash.console-url: expected") == true)
    }

    // MARK: Area

    @Test("the area's sources: names, intervals, URLs under the path prefix, timeouts, body limits")
    func sources() throws {
        let config = ComputeConfig(consoleURL: URL(string: "http://127.0.0.1:9/console/")!, pricesInterval: 600,
                                   capacityInterval: 30, providersInterval: 120, pricesTimeout: 20, consoleTimeout: 5)
        let area = ComputeArea.make(config: config)
        let requests = area.sources.map { source -> (String, Double, String, Double, Int) in
            let request = try! #require(Self.request(of: source))
            return (source.name, source.interval, request.url.absoluteString, request.timeout, request.maxBodyBytes)
        }
        #expect(requests.count == 3)
        #expect(requests[0] == ("akash_gpu_prices", 600, "http://127.0.0.1:9/console/v1/gpu-prices", 20, 16 << 20))
        #expect(requests[1] == ("akash_network_capacity", 30, "http://127.0.0.1:9/console/v1/network-capacity", 5,
                                16 << 20))
        #expect(requests[2] == ("akash_providers", 120, "http://127.0.0.1:9/console/v1/providers", 5, 32 << 20))
        #expect(area.collectors.count == 3)
    }

    static func request(of source: any PolledSource) -> UpstreamRequest? {
        (source as? EndpointSource<GPUPrices.Body>)?.request
            ?? (source as? EndpointSource<NetworkCapacity.Body>)?.request
            ?? (source as? EndpointSource<ProviderCounts>)?.request
    }

    @Test("a disabled area polls nothing and exports nothing")
    func disabled() {
        let area = ComputeArea.make(config: ComputeConfig(enabled: false))
        #expect(area.sources.isEmpty)
        #expect(area.collectors.isEmpty)
    }

    @Test("last good values are served for three intervals after the poll, then dropped")
    func staleness() async throws {
        let area = ComputeArea.make(config: ComputeConfig(pricesInterval: 900, capacityInterval: 60, providersInterval: 300))
        #expect(await area.pollAll(try InMemoryUpstream()).isEmpty)

        let atCapacityMaxAge = area.collect(now: ComputeTest.pollTime.addingTimeInterval(180))
        #expect(Samples.value(atCapacityMaxAge, "akash_network_gpus", ["state": "total"]) == 247)
        #expect(Samples.value(atCapacityMaxAge, "akash_providers", ["state": "active"]) == 60)

        let pastCapacityMaxAge = area.collect(now: ComputeTest.pollTime.addingTimeInterval(181))
        #expect(Samples.value(pastCapacityMaxAge, "akash_network_gpus", ["state": "total"]) == nil)
        #expect(Samples.value(pastCapacityMaxAge, "akash_providers", ["state": "active"]) == nil)
        #expect(Samples.value(pastCapacityMaxAge, "akash_providers", ["state": "registered"]) == 2)

        let pastProvidersMaxAge = area.collect(now: ComputeTest.pollTime.addingTimeInterval(901))
        #expect(Samples.value(pastProvidersMaxAge, "akash_providers", ["state": "registered"]) == nil)
        #expect(Samples.count(pastProvidersMaxAge, "akash_gpus") == 12)

        #expect(area.collect(now: ComputeTest.pollTime.addingTimeInterval(2701)).allSatisfy { $0.isEmpty })
    }

    @Test("a failed poll keeps the last good values; a good one replaces them")
    func failureKeepsLastGood() async throws {
        let area = ComputeArea.make(config: ComputeConfig())
        let console = try InMemoryUpstream()
        await area.pollAll(console)

        console.serve(NetworkCapacity.path, status: 500, body: Data("upstream exploded".utf8))
        console.serve(ProviderList.path, body: Data(#"[{"isOnline":true}]"#.utf8))
        console.fail(GPUPrices.path, SourceFailure(.timeout, "timed out after 30s"))
        let failures = await area.pollAll(console, now: ComputeTest.pollTime.addingTimeInterval(60))
        #expect(failures.mapValues(\.reason) == ["akash_network_capacity": .http, "akash_providers": .decode,
                                                 "akash_gpu_prices": .timeout])
        #expect(failures["akash_network_capacity"]?.message == "Console /v1/network-capacity: HTTP 500")

        let kept = area.collect(now: ComputeTest.pollTime.addingTimeInterval(61))
        #expect(Samples.value(kept, "akash_network_gpus", ["state": "total"]) == 247)
        #expect(Samples.value(kept, "akash_providers", ["state": "registered"]) == 2)

        try console.serve(NetworkCapacity.path, fixture: "network-capacity.test-fixture.json")
        #expect(await AreaTesting.poll(area.source("akash_network_capacity"), via: console,
                                       at: ComputeTest.pollTime.addingTimeInterval(120)) == nil)
        let healed = area.collect(now: ComputeTest.pollTime.addingTimeInterval(121))
        #expect(Samples.value(healed, "akash_network_gpus", ["state": "total"]) == 2742)
    }

    // MARK: Golden exposition

    /// The whole compute area after one poll of each source: the recorded capacity and provider bodies, and GPU
    /// prices with odd model names (quote, backslash, newline, non-ASCII), a null price and a null statistic.
    static func renderArea() async throws -> String {
        let area = ComputeArea.make(config: ComputeConfig())
        let failures = await area.pollAll(try InMemoryUpstream(prices: "gpu-prices.odd-names.json"))
        #expect(failures.isEmpty)
        return try TextFormat.renderString(area.collect(now: ComputeTest.pollTime))
    }

    @Test("whole compute exposition matches Tests/Fixtures/golden/compute.prom")
    func golden() async throws {
        try Golden.compare(try await Self.renderArea(), "compute.prom")
    }

    @Test("odd model names are escaped in label values")
    func escaping() async throws {
        let rendered = try await Self.renderArea()
        #expect(rendered.contains(#"model="rtx \"4090\" \\ test""#))
        #expect(rendered.contains(#"model="mi300x\nbeta""#))
        #expect(rendered.contains(#"model="rtx pro 6000 ™""#))
        // Every line is a comment or one sample: no raw newline split a label value.
        for line in rendered.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.hasPrefix("akash_") && line.contains(" "), "\(line)")
        }
    }
}
