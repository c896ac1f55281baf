@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Testing
import TestSupport

/// `--akash.block-time`: `auto` measures the chain's pace from two recorded headers (`chain/block-latest.json` at
/// height 27001000, `chain/block-27000000.json` 6120 s earlier: 6.12 s a block) and every per-hour figure follows
/// it; without a measurement, or once it fails for longer than its max age, 6 s stands in.
@Suite("Block time: measured, fixed, fallback")
struct BlockTimeTests {
    typealias H = AccountHarness

    /// The tenant's recorded leases (one uact lease of 120 a block in 25880666), the blocks, and a measuring block time.
    static func measuring(olderBlock: FakeReply = .fixture("chain/block-27000000.json")) throws -> (H, BlockTime) {
        let blockTime = BlockTime(.measured)
        let harness = try AccountGoldenTests.recordedChain(aktPriceUSD: { _ in 0.5 }, blockTime: blockTime)
        harness.chain.route(FakeChain.blockPath(height: 27_000_000), olderBlock)
        return (harness, blockTime)
    }

    static let busyLease = ["owner": H.tenant, "dseq": "25880666", "gseq": "2", "oseq": "1", "provider": H.providers[1]]

    @Test("auto: the average of the last 1000 blocks prices every per-hour figure and is exported")
    func measured() async throws {
        let (harness, blockTime) = try Self.measuring()
        defer { harness.chain.stop() }
        // Before the first measurement: 6 s.
        #expect(blockTime.seconds(at: H.pollTime) == 6)
        #expect(await harness.pollAll().isEmpty)
        // (20:07:00.123456789 − 18:25:00.123456789) / 1000 blocks.
        #expect(abs(blockTime.seconds(at: H.pollTime) - 6.12) < 1e-9)
        let families = harness.collect()
        let measured = try #require(Samples.value(families, "akash_chain_block_time_seconds"))
        #expect(abs(measured - 6.12) < 1e-9)
        // 120 uact a block × 3600 / 6.12 blocks an hour / 10^6.
        let price = try #require(Samples.value(families, "akash_lease_price_usd_per_hour", Self.busyLease))
        #expect(abs(price - 120 * 3600 / 6.12 / 1e6) < 1e-12)
        // The runway counts seconds at the measured pace too: 167,490.967 uact at 124.826603 a block.
        let runway = try #require(Samples.value(families, "akash_deployment_escrow_runway_seconds", ["owner": H.tenant, "dseq": "25880666"]))
        #expect(abs(runway - 167_490.967 / 124.826603 * 6.12) < 1e-6)
        let head = try #require(Samples.value(families, "akash_chain_latest_block_timestamp_seconds"))
        #expect(abs(head - 1_784_318_820.123456789) < 1e-6)
        // The older header was asked for by its height, once.
        #expect(harness.chain.requests(FakeChain.blockPath(height: 27_000_000)).count == 1)
    }

    @Test("auto falls back to 6 s: before a measurement, when the node cannot give the older block, once a measurement is stale")
    func fallback() async throws {
        let (harness, blockTime) = try Self.measuring(olderBlock: .status(404, body: Data("{\"code\":5}".utf8)))
        defer { harness.chain.stop() }
        let failures = await harness.pollAll()
        #expect(Set(failures.keys) == ["akash_block_time"])
        #expect(failures["akash_block_time"]?.reason == .http)
        #expect(blockTime.seconds(at: H.pollTime) == 6)
        let families = harness.collect()
        #expect(Samples.value(families, "akash_chain_block_time_seconds") == nil)
        #expect(Samples.value(families, "akash_lease_price_usd_per_hour", Self.busyLease) == 0.072)

        // Measured once, then failing: the measurement serves three measuring intervals (30 min), then 6 s again.
        harness.chain.route(FakeChain.blockPath(height: 27_000_000), .fixture("chain/block-27000000.json"))
        #expect(await harness.poll("akash_block_time") == nil)
        harness.chain.route(FakeChain.blockPath(height: 27_000_000), .status(500))
        #expect(await harness.poll("akash_block_time", at: H.pollTime.addingTimeInterval(600)) != nil)
        #expect(abs(blockTime.seconds(at: H.pollTime.addingTimeInterval(1800)) - 6.12) < 1e-9)
        #expect(blockTime.seconds(at: H.pollTime.addingTimeInterval(1801)) == 6)
        #expect(blockTime.measured(at: H.pollTime.addingTimeInterval(1801)) == nil)
    }

    @Test("a node's implausible or mismatched header measures nothing", arguments: [
        // 1000 blocks in 20 s: 0.02 s a block.
        FakeChain.latestBlock(height: 27_000_000, time: "2026-07-17T20:06:40.123456789Z"),
        // The latest header again (0 s a block).
        FakeChain.latestBlock(height: 27_000_000, time: "2026-07-17T20:07:00.123456789Z"),
        // Another height than the one asked for.
        FakeChain.latestBlock(height: 26_999_000, time: "2026-07-17T18:25:00Z"),
        // A header without a time.
        #"{"block":{"header":{"height":"27000000"}}}"#,
    ])
    func implausible(body: String) async throws {
        let (harness, blockTime) = try Self.measuring(olderBlock: .json(Data(body.utf8)))
        defer { harness.chain.stop() }
        _ = await harness.poll("akash_block")
        #expect(await harness.poll("akash_block_time")?.reason == .decode)
        #expect(blockTime.seconds(at: H.pollTime) == 6)
    }

    @Test("--akash.block-time: auto by default, a fixed duration, or a clear error")
    func flag() throws {
        func parse(_ arguments: [String]) throws(ConfigError) -> ChainConfig {
            guard case .run(let config) = try ExporterConfig.parse(arguments: arguments, environment: [:]),
                  let chain = config.areas[ChainArea.self] else {
                throw ConfigError("no run configuration")
            }
            return chain
        }
        #expect(try parse([]).blockTimeSetting == .measured)
        #expect(try parse([]).blockTime == 6)
        #expect(try parse(["--akash.block-time=auto"]).blockTimeSetting == .measured)
        #expect(try parse(["--akash.block-time=6500ms"]).blockTimeSetting == .fixed(6.5))
        #expect(try parse(["--akash.block-time=6500ms"]).blockTime == 6.5)
        #expect(throws: ConfigError.invalid("akash.block-time", "soon", expected: "auto or a positive duration such as 6s or 6100ms")) {
            try parse(["--akash.block-time=soon"])
        }
        #expect(throws: ConfigError.self) { try parse(["--akash.block-time=0s"]) }
    }

    /// The chain's head is polled for the views that need it, as the exporter parses its flags and makes its sources.
    @Test("the latest block with an owner or a provider; the block time with any view of the chain, when auto",
          arguments: [
              ([String](), ["akash_block_time"]),  // the network index is on by default
              (["--no-akash.network-enabled"], []),
              (["--no-akash.network-enabled", "--akash.owner=\(AccountHarness.tenant)"], ["akash_block", "akash_block_time"]),
              (["--no-akash.network-enabled", "--akash.provider=\(AccountHarness.tenant)"], ["akash_block", "akash_block_time"]),
              (["--akash.owner=\(AccountHarness.tenant)", "--akash.block-time=6s"], ["akash_block"]),
              (["--akash.block-time=6s"], []),
          ])
    func chainHeadSelection(arguments: [String], polled: [String]) throws {
        let config = try ExporterConfig(AreaTesting.flags(arguments), environment: [:])
        let chain = try #require(config.areas[ChainArea.self])
        let shared = SharedDependencies(blockTime: BlockTime(chain.blockTimeSetting))
        let sources = SourceRegistry.make(SourceSetup(config, shared: shared)).sources
        #expect(sources.map(\.name).filter { $0.hasPrefix("akash_block") } == polled)
        #expect(sources.first { $0.name == "akash_block" }.map(\.interval) ?? 60 == 60)
        #expect(sources.first { $0.name == "akash_block_time" }.map(\.interval) ?? BlockTime.measureEvery == BlockTime.measureEvery)
    }

    @Test("a fixed block time measures nothing: no older header is asked for, no block time series")
    func fixed() async throws {
        let harness = try AccountGoldenTests.recordedChain(aktPriceUSD: { _ in 0.5 }, blockTime: BlockTime(.fixed(6)))
        defer { harness.chain.stop() }
        #expect(!harness.area.sources.contains { $0.name == "akash_block_time" })
        #expect(await harness.pollAll().isEmpty)
        #expect(Samples.value(harness.collect(), "akash_chain_block_time_seconds") == nil)
        #expect(harness.chain.requests(FakeChain.blockPath(height: 27_000_000)).isEmpty)
    }
}

@Suite("Chain REST: an API the node does not serve")
struct UnsupportedAPITests {
    static let unimplemented = Data(#"{"code":12,"message":"Not Implemented","details":[]}"#.utf8)

    @Test("HTTP 501 with gRPC code 12 is `unsupported`, and the message names the path")
    func unsupported() async throws {
        let harness = try AccountHarness()
        defer { harness.chain.stop() }
        harness.chain.route(FakeChain.leasesPath, .json(Self.unimplemented, status: 501))
        let failure = try #require(await harness.poll("akash_leases"))
        #expect(failure.reason == .unsupported)
        #expect(failure.message.contains("/akash/market/v1beta5/leases/list"))
        #expect(failure.message.contains("does not serve"))
        #expect(Exporter.failureReasons.contains(.unsupported))
    }

    @Test("a 501 without the gRPC body, or another gRPC code, stays a plain http failure")
    func otherErrors() async throws {
        let harness = try AccountHarness()
        defer { harness.chain.stop() }
        harness.chain.route(FakeChain.latestBlockPath, .status(501, body: Data("not implemented\n".utf8)))
        #expect(await harness.poll("akash_block")?.reason == .http)
        harness.chain.route(FakeChain.latestBlockPath, .json(Data(#"{"code":13,"message":"internal","details":[]}"#.utf8), status: 501))
        #expect(await harness.poll("akash_block")?.reason == .http)
    }
}
