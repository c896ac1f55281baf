@testable import AkashExporter
import Foundation
import Testing
import TestSupport

/// The built executable with `--akash.provider`, the chain faked on loopback and every other area off: what a
/// provider operator running `--once` from cron sees.
@Suite("Provider: the exporter binary")
struct ProviderAppTests {
    typealias H = ProviderHarness

    static func once(_ chain: FakeChain, _ extra: [String] = []) throws -> ExporterBinary.Result {
        try ExporterBinary.run(["--once", "--state.file=", "--no-cmc.enabled", "--no-akash.console-enabled",
                                "--no-akash.onchain-enabled", "--no-akash.probe-enabled", "--no-akash.network-enabled",
                                "--akash.rest-url=\(chain.baseURL.absoluteString)",
                                "--akash.provider=\(H.provider),\(H.quiet)"] + extra)
    }

    @Test("--once with the chain up: exit 0, the provider's leases and open bids (uact revenue only: no AKT price)")
    func onceUp() throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.serveRecorded()
        let result = try Self.once(harness.chain)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("akash_provider_active_leases{provider=\"\(H.provider)\"} 8\n"))
        #expect(result.stdout.contains("akash_provider_open_bids{provider=\"\(H.quiet)\"} 0\n"))
        #expect(result.stdout.contains("akash_provider_revenue_usd_per_hour{provider=\"\(H.quiet)\"} 0.6\n"))
        // The market area is off, so the provider with uakt leases has no USD revenue, only its per-block sums.
        #expect(!result.stdout.contains("akash_provider_revenue_usd_per_hour{provider=\"\(H.provider)\"}"))
        #expect(result.stdout.contains("akash_provider_revenue_per_block{provider=\"\(H.provider)\",denom=\"uakt\"} 6000\n"))
        #expect(result.stdout.contains("akash_exporter_source_up{source=\"akash_provider_bids\"} 1\n"))
    }

    @Test("--once with the chain down: exit 1, both sources up 0, no revenue or bid count made up")
    func onceChainDown() throws {
        let harness = try H()
        defer { harness.chain.stop() }
        harness.chain.route(LeasesPage.path, .status(503))
        harness.chain.route(ProviderBidsSource.path, .closeImmediately)
        let result = try Self.once(harness.chain)
        #expect(result.status == 1)
        #expect(result.stdout.contains("akash_exporter_source_up{source=\"akash_provider_leases\"} 0\n"))
        #expect(result.stdout.contains("akash_exporter_source_up{source=\"akash_provider_bids\"} 0\n"))
        #expect(result.stdout.contains("akash_exporter_source_failures_total{source=\"akash_provider_leases\",reason=\"http\"} 1\n"))
        #expect(!result.stdout.split(separator: "\n").contains { $0.hasPrefix("akash_provider_") })
        #expect(result.stderr.contains("source=akash_provider_leases reason=http"))
    }

    @Test("a bad --akash.provider exits 2 with one line naming it, before anything starts")
    func badAddress() throws {
        let result = try ExporterBinary.run(["--once", "--akash.provider=akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xd"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("invalid value \"akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xd\" for --akash.provider: expected an Akash account address (akash1...), but the checksum does not match"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
