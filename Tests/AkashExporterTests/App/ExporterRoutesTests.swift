import Foundation
import Synchronization
import Testing
import ExporterKit
import Exposition
import HTTPServer
import TestSupport
@testable import AkashExporter

/// A collector whose one gauge the test sets.
private final class GaugeCollector: MetricsCollector {
    private let value = Mutex(0.0)
    func set(_ new: Double) { value.withLock { $0 = new } }

    func collect(now: Date) -> [MetricFamily] {
        // Enough series for gzip to matter, as in a real exposition.
        var family = MetricFamily.gauge("test_gpu_price", "A price.")
        for index in 0..<200 { family.add(value.withLock { $0 } + Double(index), labels: [Label("model", "gpu\(index)")]) }
        return [family]
    }
}

@Suite struct ExporterRoutesTests {
    private let collector = GaugeCollector()

    private func routes() -> (ExporterRoutes, ExpositionPublisher) {
        let publisher = ExpositionPublisher(collectors: [collector], logger: Logger(sink: { _ in }))
        let routes = ExporterRoutes(telemetryPath: "/metrics", publisher: publisher, health: HealthRegistry(sources: []),
                                    landingPage: LandingPage(telemetryPath: "/metrics", description: "test"))
        return (routes, publisher)
    }

    private func scrape(_ routes: ExporterRoutes, gzip: Bool) -> HTTPResponse {
        routes.handle(HTTPRequest(method: "GET", path: "/metrics", headers: gzip ? [("Accept-Encoding", "gzip")] : []))
    }

    @Test("scrapes never compress: the compression count moves with renders that change the body, not with scrapes")
    func compressedOncePerRender() {
        let (routes, publisher) = routes()
        collector.set(1)
        publisher.refresh()
        let afterFirstRender = publisher.compressionCount
        #expect(afterFirstRender == 1)
        for _ in 0..<500 {
            #expect(scrape(routes, gzip: true).headers.contains { $0 == ("Content-Encoding", "gzip") })
        }
        #expect(publisher.compressionCount == afterFirstRender, "500 gzip scrapes compressed nothing")
        publisher.refresh()  // same data: same bytes, nothing to compress
        #expect(publisher.compressionCount == afterFirstRender)
        collector.set(2)
        publisher.refresh()
        #expect(publisher.compressionCount == afterFirstRender + 1)
    }

    @Test("the gzip body is the plain body compressed; Content-Encoding only when asked, Vary always")
    func negotiation() throws {
        let (routes, publisher) = routes()
        collector.set(3)
        publisher.refresh()
        let plain = scrape(routes, gzip: false)
        let zipped = scrape(routes, gzip: true)
        #expect(!plain.headers.contains { $0.name == "Content-Encoding" })
        #expect(plain.headers.contains { $0 == ("Vary", "Accept-Encoding") })
        #expect(zipped.headers.contains { $0 == ("Vary", "Accept-Encoding") })
        #expect(plain.body == publisher.snapshot.body)
        #expect(zipped.body == publisher.snapshot.gzipBody)
        #expect(zipped.body.starts(with: [0x1f, 0x8b]), "a gzip member")
        #expect(zipped.body.count * 4 < plain.body.count)
        // Decompressed by the system's gzip, byte for byte the plain body.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID()).gz")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(zipped.body).write(to: directory)
        #expect(Array(try Tool.run("/bin/gzip", ["-dc", directory.path]).stdout.utf8) == plain.body)
    }
}
