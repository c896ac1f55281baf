import Foundation
import Testing
import TestSupport
import Exposition
@testable import ExporterKit

@Suite struct SelfMetricsTests {
    /// The exporter's namespace and reasons, as the application passes them in.
    static func identity(version: String) -> SelfMetricsCollector.Identity {
        SelfMetricsCollector.Identity(namespace: "akash_exporter", program: "akash-cost-exporter", version: version,
                                      swiftVersion: "6.3")
    }

    static let reasons = FailureReason.generic + [FailureReason(rawValue: "credits_exhausted")]

    /// Three sources in three states: healthy after a timeout, rate limited without a success yet, not polled yet.
    @Test func rendersTheGoldenExposition() throws {
        let health = HealthRegistry(sources: ["akash_block", "akash_gpu_prices", "cmc_quotes"])
        health.recordInterval("akash_gpu_prices", 600)
        health.recordInterval("cmc_quotes", 300)
        health.countRequest("akash_gpu_prices")
        health.recordFailure("akash_gpu_prices", SourceFailure(.timeout, "GET x/v1/gpu-prices: timed out"), duration: 10)
        health.countRequest("akash_gpu_prices")
        health.recordSuccess("akash_gpu_prices", at: Date(timeIntervalSince1970: 1_700_000_123.5), duration: 0.25)
        health.countRequest("cmc_quotes")
        health.recordFailure("cmc_quotes", SourceFailure(.rateLimited, "HTTP 429", retryAfter: 60), duration: 0.125)
        let collector = SelfMetricsCollector(health: health, identity: Self.identity(version: "1.2.3"), reasons: Self.reasons)

        let rendered = try TextFormat.renderString(collector.collect(now: Date(timeIntervalSince1970: 1_700_000_200)))
        try Golden.compare(rendered, "self-metrics.prom")
    }

    @Test func lastSuccessIsAbsentBeforeTheFirstSuccess() throws {
        let health = HealthRegistry(sources: ["cmc_quotes"])
        health.recordFailure("cmc_quotes", SourceFailure(.auth, "HTTP 401"), duration: 0.1)
        let rendered = try TextFormat.renderString(SelfMetricsCollector(health: health, identity: Self.identity(version: "1"), reasons: Self.reasons)
            .collect(now: Date()))
        #expect(rendered.contains("akash_exporter_source_up{source=\"cmc_quotes\"} 0\n"))
        #expect(rendered.contains("akash_exporter_source_failures_total{source=\"cmc_quotes\",reason=\"auth\"} 1\n"))
        #expect(!rendered.contains("akash_exporter_source_last_success_timestamp_seconds"))
    }
}
