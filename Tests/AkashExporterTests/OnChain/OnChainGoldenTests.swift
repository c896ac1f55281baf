@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Testing
import TestSupport

/// The oracle and BME over the bodies in `Tests/Fixtures/onchain/`, polled at 12:01:00 on the day they describe, with
/// CoinMarketCap's AKT at 0.70 USD: whole expositions (goldens) and the values a user would check.
@Suite("On chain: oracle and BME goldens")
struct OnChainGoldenTests {
    typealias H = OnChainHarness

    static func rendered(_ harness: H) async throws -> (text: String, families: [MetricFamily]) {
        defer { harness.chain.stop() }
        let failures = await harness.pollAll()
        #expect(failures.isEmpty, "\(failures)")
        return (try harness.render(), harness.collect())
    }

    @Test("healthy oracle and BME: prices, health, sources, the vault; AKT priced by the oracle (golden onchain-healthy.prom)")
    func healthy() async throws {
        let (text, families) = try await Self.rendered(try H())
        try Golden.compare(text, "onchain-healthy.prom")
        #expect(Samples.value(families, "akash_oracle_akt_price_usd", ["stat": "median"]) == 0.6763)
        #expect(Samples.value(families, "akash_oracle_akt_price_usd", ["stat": "twap"]) == 0.67625133)
        #expect(Samples.value(families, "akash_oracle_price_healthy") == 1)
        #expect(close(Samples.value(families, "akash_oracle_price_timestamp_seconds"), H.oracleTimestamp))
        #expect(Samples.value(families, "akash_oracle_sources", ["state": "healthy"]) == 1)
        #expect(Samples.value(families, "akash_oracle_deviation_ratio") == 0)
        #expect(close(Samples.value(families, "akash_bme_collateral_ratio"), 3.412876543210987654, within: 1e-15))
        #expect(Samples.value(families, "akash_bme_threshold_ratio", ["level": "warn"]) == 0.95)
        #expect(Samples.value(families, "akash_bme_threshold_ratio", ["level": "halt"]) == 0.9)
        #expect(Samples.value(families, "akash_bme_status", ["status": "healthy"]) == 1)
        #expect(Samples.value(families, "akash_bme_status", ["status": "halt_cr"]) == 0)
        #expect(Samples.value(families, "akash_bme_mints_allowed") == 1)
        #expect(Samples.value(families, "akash_bme_refunds_allowed") == 1)
        // 151873402118 uact and 765214009331 uakt, in whole tokens.
        #expect(Samples.value(families, "akash_bme_outstanding_act") == 151_873.402118)
        #expect(Samples.value(families, "akash_bme_vault_akt") == 765_214.009331)
        #expect(Samples.value(families, "akash_exporter_akt_price_source", ["source": "oracle"]) == 1)
        #expect(Samples.value(families, "akash_exporter_akt_price_source", ["source": "cmc"]) == 0)
        // 0.6763 / 0.70.
        #expect(Samples.value(families, "akash_akt_oracle_vs_market_ratio") == 0.6763 / 0.70)
    }

    @Test("unhealthy oracle and /status erring: halt_oracle, mints and refunds 0, no ratio, not a failed poll; AKT priced by CoinMarketCap (golden onchain-oracle-unhealthy.prom)")
    func unhealthyOracleHaltsBME() async throws {
        let harness = try H(oracle: "onchain/oracle-aggregated-price-akt.unhealthy.json",
                            status: "onchain/bme-status.halt-oracle-error.json", statusCode: 500)
        let (text, families) = try await Self.rendered(harness)
        try Golden.compare(text, "onchain-oracle-unhealthy.prom")
        #expect(Samples.value(families, "akash_oracle_price_healthy") == 0)
        #expect(Samples.value(families, "akash_oracle_sources", ["state": "healthy"]) == 0)
        // The last healthy price stays, with the time it was aggregated: 2026-09-28T11:52:41.019377211Z.
        #expect(Samples.value(families, "akash_oracle_akt_price_usd", ["stat": "median"]) == 0.6741)
        #expect(close(Samples.value(families, "akash_oracle_price_timestamp_seconds"), 1_790_596_361.019377211))
        #expect(Samples.value(families, "akash_bme_status", ["status": "halt_oracle"]) == 1)
        #expect(Samples.value(families, "akash_bme_status", ["status": "healthy"]) == 0)
        #expect(Samples.value(families, "akash_bme_mints_allowed") == 0)
        #expect(Samples.value(families, "akash_bme_refunds_allowed") == 0)
        #expect(Samples.count(families, "akash_bme_collateral_ratio") == 0)
        #expect(Samples.count(families, "akash_bme_threshold_ratio") == 0)
        #expect(Samples.value(families, "akash_bme_outstanding_act") == 151_873.402118)
        #expect(Samples.value(families, "akash_exporter_akt_price_source", ["source": "cmc"]) == 1)
        #expect(Samples.count(families, "akash_akt_oracle_vs_market_ratio") == 0)
    }

    @Test("an oracle that says healthy but aggregated 20 min ago: reported as it is, not used to price (golden onchain-oracle-stale.prom)")
    func staleOracle() async throws {
        let (text, families) = try await Self.rendered(try H(oracle: "onchain/oracle-aggregated-price-akt.stale.json"))
        try Golden.compare(text, "onchain-oracle-stale.prom")
        #expect(Samples.value(families, "akash_oracle_price_healthy") == 1)
        // 11:40:05.48, 20 min 55 s before the poll: a user's `time() - ...` shows it.
        #expect(close(Samples.value(families, "akash_oracle_price_timestamp_seconds"), H.oracleTimestamp - 1200))
        #expect(Samples.value(families, "akash_exporter_akt_price_source", ["source": "cmc"]) == 1)
        #expect(Samples.value(families, "akash_exporter_akt_price_source", ["source": "oracle"]) == 0)
        #expect(Samples.count(families, "akash_akt_oracle_vs_market_ratio") == 0)
    }

    @Test("BME warning: ratio between the thresholds, still minting (golden onchain-bme-warning.prom)")
    func warning() async throws {
        let (text, families) = try await Self.rendered(try H(status: "onchain/bme-status.warning.json"))
        try Golden.compare(text, "onchain-bme-warning.prom")
        #expect(Samples.value(families, "akash_bme_collateral_ratio") == 0.93125)
        #expect(Samples.value(families, "akash_bme_status", ["status": "warning"]) == 1)
        #expect(Samples.value(families, "akash_bme_status", ["status": "healthy"]) == 0)
        #expect(Samples.value(families, "akash_bme_mints_allowed") == 1)
    }

    @Test("BME halt_cr: ratio below halt, no ACT minted, refunds still allowed (golden onchain-bme-halt-cr.prom)")
    func haltCR() async throws {
        let (text, families) = try await Self.rendered(try H(status: "onchain/bme-status.halt-cr.json"))
        try Golden.compare(text, "onchain-bme-halt-cr.prom")
        #expect(Samples.value(families, "akash_bme_collateral_ratio") == 0.874)
        #expect(Samples.value(families, "akash_bme_status", ["status": "halt_cr"]) == 1)
        #expect(Samples.value(families, "akash_bme_mints_allowed") == 0)
        #expect(Samples.value(families, "akash_bme_refunds_allowed") == 1)
    }

    /// Equal within `within` (a microsecond for timestamps): the decimal strings are exact, their Doubles are not.
    func close(_ actual: Double?, _ expected: Double, within tolerance: Double = 1e-6) -> Bool {
        actual.map { abs($0 - expected) <= tolerance } ?? false
    }
}
