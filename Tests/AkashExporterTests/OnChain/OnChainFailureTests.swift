@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Testing
import TestSupport

/// Chain input is untrusted: answers that contradict themselves or cannot be true fail the poll (`decode`) and give
/// no sample; an error from `/status` is halt_oracle only when the oracle confirms it.
@Suite("On chain: what is not an answer")
struct OnChainFailureTests {
    typealias H = OnChainHarness

    static let healthyOracle = "onchain/oracle-aggregated-price-akt.json"

    @Test("an oracle answer that cannot be true fails the poll and gives no oracle series", arguments: [
        ("median above max", [("\"median_price\": \"0.676300000000000000\"", "\"median_price\": \"0.700000000000000000\"")]),
        ("a zero price", [("\"min_price\": \"0.676300000000000000\"", "\"min_price\": \"0\"")]),
        ("a price of a million dollars", [("\"max_price\": \"0.676300000000000000\"", "\"max_price\": \"1000000.0\"")]),
        ("a negative price", [("\"twap\": \"0.676251330000000000\"", "\"twap\": \"-0.676251330000000000\"")]),
        ("a price as a number", [("\"twap\": \"0.676251330000000000\"", "\"twap\": 0.67625133")]),
        ("another asset", [("\"denom\": \"akt\",\n    \"twap\"", "\"denom\": \"uakt\",\n    \"twap\"")]),
        ("a time that is not RFC 3339", [("2026-09-28T12:00:05.482913377Z", "2026-09-28 12:00:05")]),
        ("the zero time", [("2026-09-28T12:00:05.482913377Z", "0001-01-01T00:00:00Z")]),
        ("ten fraction digits", [("2026-09-28T12:00:05.482913377Z", "2026-09-28T12:00:05.4829133770Z")]),
        ("a negative deviation", [("\"deviation_bps\": \"0\"", "\"deviation_bps\": \"-5\"")]),
        ("more healthy sources than sources", [("\"total_healthy_sources\": 1", "\"total_healthy_sources\": 2")]),
        ("no health", [("\"is_healthy\": true,", "")]),
    ])
    func implausibleOracle(_ problem: String, _ edits: [(String, String)]) async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.route(H.oraclePath, .json(try H.body(Self.healthyOracle, replacing: edits)))
        let failure = await harness.poll(OracleSource.declaration.name)
        #expect(failure?.reason == .decode, "\(problem): \(String(describing: failure))")
        #expect(Samples.count(harness.collect(), "akash_oracle_akt_price_usd") == 0, "\(problem)")
        #expect(Samples.count(harness.collect(), "akash_exporter_akt_price_source") == 2, "cmc still prices: \(problem)")
    }

    @Test("a BME answer that contradicts itself fails the poll and gives no BME series", arguments: [
        ("bme-status.json", "healthy, mints not allowed", [("\"mints_allowed\": true", "\"mints_allowed\": false")]),
        ("bme-status.halt-cr.json", "halt_cr, mints allowed", [("\"mints_allowed\": false", "\"mints_allowed\": true")]),
        ("bme-status.json", "healthy, refunds not allowed", [("\"refunds_allowed\": true", "\"refunds_allowed\": false")]),
        ("bme-status.json", "the unspecified state", [("mint_status_healthy", "mint_status_unspecified")]),
        ("bme-status.json", "a state this exporter does not know", [("mint_status_healthy", "mint_status_paused")]),
        ("bme-status.json", "a ratio with 19 fraction digits", [("3.412876543210987654", "3.4128765432109876543")]),
        ("bme-status.json", "a negative threshold", [("\"0.900000000000000000\"", "\"-0.9\"")]),
    ])
    func contradictoryStatus(_ fixture: String, _ problem: String, _ edits: [(String, String)]) async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.route(H.statusPath, .json(try H.body("onchain/" + fixture, replacing: edits)))
        let failure = await harness.poll(BMESource.declaration.name)
        #expect(failure?.reason == .decode, "\(problem): \(String(describing: failure))")
        #expect(Samples.count(harness.collect(), "akash_bme_status") == 0, "\(problem)")
    }

    @Test("a vault amount that is not a plain integer, absurd, or listed twice fails the poll", arguments: [
        ("a decimal amount", [("\"amount\": \"151873402118\"", "\"amount\": \"151873402118.5\"")]),
        ("a negative amount", [("\"amount\": \"765214009331\"", "\"amount\": \"-765214009331\"")]),
        ("more ACT than could exist", [("\"amount\": \"151873402118\"", "\"amount\": \"9000000000000000000\"")]),
        ("uakt listed twice", [("\"denom\": \"uact\",\n        \"amount\": \"151873402118\"", "\"denom\": \"uakt\",\n        \"amount\": \"151873402118\"")]),
    ])
    func badVault(_ problem: String, _ edits: [(String, String)]) async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.route(H.vaultPath, .json(try H.body("onchain/bme-vault.json", replacing: edits)))
        let failure = await harness.poll(BMESource.declaration.name)
        #expect(failure?.reason == .decode, "\(problem): \(String(describing: failure))")
        #expect(Samples.count(harness.collect(), "akash_bme_status") == 0, "\(problem)")
    }

    @Test("a vault that lists no uact: no outstanding ACT sample (never a made-up 0), the rest reported")
    func vaultWithoutACT() async throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.route(H.vaultPath, .json(Data(#"{"vault_state":{"balances":[{"denom":"uakt","amount":"1000000"}],"total_burned":[],"total_minted":[],"remint_credits":[]}}"#.utf8)))
        #expect(await harness.poll(BMESource.declaration.name) == nil)
        let families = harness.collect()
        #expect(Samples.count(families, "akash_bme_outstanding_act") == 0)
        #expect(Samples.value(families, "akash_bme_vault_akt") == 1)
        #expect(Samples.value(families, "akash_bme_status", ["status": "healthy"]) == 1)
    }

    @Test("the chain's /status error while the oracle is healthy is a failed poll (http), not halt_oracle")
    func statusErrorWithHealthyOracle() async throws {
        let harness = try H(status: "onchain/bme-status.halt-oracle-error.json", statusCode: 500)
        defer { harness.chain.stop() }
        let failure = await harness.poll(BMESource.declaration.name)
        #expect(failure?.reason == .http)
        #expect(failure?.message.hasSuffix("HTTP 500 (code 13: failed to compute collateral ratio: oracle price stalled)") == true,
                "\(String(describing: failure))")
        #expect(harness.chain.requests(H.oraclePath).count == 1, "the oracle is asked once")
        #expect(Samples.count(harness.collect(), "akash_bme_status") == 0)
    }

    @Test("an error that is not the chain's (a proxy's page, a rate limit, a refusal) never asks the oracle", arguments: [
        (FakeReply.status(502, body: Data("<html>bad gateway</html>".utf8)), FailureReason.http),
        (FakeReply.status(429, body: Data(#"{"code":8,"message":"slow down","details":[]}"#.utf8), headers: ["Retry-After": "30"]), .rateLimited),
        (FakeReply.status(403, body: Data(#"{"code":7,"message":"denied","details":[]}"#.utf8)), .auth),
    ])
    func foreignErrors(_ reply: FakeReply, _ reason: FailureReason) async throws {
        let harness = try H(oracle: "onchain/oracle-aggregated-price-akt.unhealthy.json")
        defer { harness.chain.stop() }
        harness.chain.route(H.statusPath, reply)
        let failure = await harness.poll(BMESource.declaration.name)
        #expect(failure?.reason == reason)
        #expect(harness.chain.requests(H.oraclePath).isEmpty)
    }

    @Test("halt_oracle needs the oracle's word: an oracle that cannot be read fails the poll with its own reason")
    func haltOracleWithoutOracle() async throws {
        let harness = try H(status: "onchain/bme-status.halt-oracle-error.json", statusCode: 500)
        defer { harness.chain.stop() }
        harness.chain.route(H.oraclePath, .status(503))
        #expect(await harness.poll(BMESource.declaration.name)?.reason == .http)
        #expect(Samples.count(harness.collect(), "akash_bme_status") == 0)
    }

    @Test("halt_oracle is served for three poll intervals after the poll that saw it, then goes like any stale value")
    func haltOracleAges() async throws {
        let harness = try H(oracle: "onchain/oracle-aggregated-price-akt.unhealthy.json",
                            status: "onchain/bme-status.halt-oracle-error.json", statusCode: 500)
        defer { harness.chain.stop() }
        #expect(await harness.poll(BMESource.declaration.name) == nil)
        let late = H.pollTime.addingTimeInterval(3 * 60)
        #expect(Samples.value(harness.collect(at: late), "akash_bme_status", ["status": "halt_oracle"]) == 1)
        #expect(Samples.count(harness.collect(at: late.addingTimeInterval(1)), "akash_bme_status") == 0)
    }
}
