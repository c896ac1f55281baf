import Foundation
import Testing
import TestSupport
import Exposition
@testable import ExporterKit

@Suite struct HTTPAuthMetricsTests {
    private let collector = HTTPAuthMetricsCollector(namespace: "akash_exporter", reasons: ["wrong_credentials", "overload"]) { reason in
        reason == "wrong_credentials" ? 7 : 0
    }

    @Test("one counter, every reason from the start")
    func rendersEveryReason() throws {
        let rendered = try TextFormat.renderString(collector.collect(now: Date(timeIntervalSince1970: 0)))
        #expect(rendered.contains("# TYPE akash_exporter_http_auth_rejected_total counter\n"))
        #expect(rendered.contains("akash_exporter_http_auth_rejected_total{reason=\"wrong_credentials\"} 7\n"))
        #expect(rendered.contains("akash_exporter_http_auth_rejected_total{reason=\"overload\"} 0\n"))
    }

    @Test("promtool check metrics accepts it", .enabled(if: Promtool.isInstalled))
    func promtoolAccepts() throws {
        let file = URL(fileURLWithPath: NSTemporaryDirectory() + "http-auth-\(UUID().uuidString).prom")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(try TextFormat.render(collector.collect(now: Date(timeIntervalSince1970: 0)))).write(to: file)
        let (status, output) = try Promtool.checkMetrics(file)
        #expect(status == 0 && output.isEmpty, "\(output)")
    }
}
