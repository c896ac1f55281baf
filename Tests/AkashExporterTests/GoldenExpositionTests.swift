import Testing
import TestSupport

/// Every golden exposition, whichever suite wrote it, is valid for Prometheus' own checker: a golden file that
/// only matched our renderer would prove nothing.
@Suite struct GoldenExpositionTests {
    @Test("there are golden expositions to check")
    func goldenFilesExist() {
        #expect(Set(Golden.names).isSuperset(of: ["account.prom", "compute.prom", "exporter-once.prom", "market.prom"]))
    }

    @Test("promtool check metrics accepts the golden exposition", .enabled(if: Promtool.isInstalled),
          arguments: Golden.names)
    func promtoolAccepts(_ name: String) throws {
        let result = try Promtool.checkMetrics(Golden.url(name))
        #expect(result.status == 0, "\(name): \(result.output)")
    }
}
