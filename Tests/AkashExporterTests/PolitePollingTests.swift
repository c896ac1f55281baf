import Foundation
import Testing
@testable import AkashExporter
import ExporterKit
import TestSupport

/// Polite polling against the real exporter and the real upstream client: compressed transfers asked for and decoded,
/// the bytes each source costs on the wire, a decompression bomb refused, and conditional requests.
@Suite struct PolitePollingTests {
    static let start = ExporterUnderTest.start

    /// Sample lines of a scrape without the figures that differ between two runs by nature (times, durations, and
    /// the byte counts this suite compares on their own).
    private static func values(_ scrape: Scrape) -> String {
        AppFakes.deterministic(scrape.text).split(separator: "\n")
            .filter { !$0.contains("akash_exporter_source_response_bytes_total") }.joined(separator: "\n")
    }

    @Test("with gzip served to who asks: every request asked for it, the values equal a plain run, and each source's bytes are what the fake sent")
    func gzipKeptAndBytesCounted() async throws {
        let plainUpstream = try AppFakes.allUpstreams()
        defer { plainUpstream.stop() }
        let plain = try ExporterUnderTest(plainUpstream)
        #expect(await plain.poll(at: Self.start), "\(plain.down)")

        let upstream = try AppFakes.allUpstreams()
        defer { upstream.stop() }
        upstream.compressWhenAsked()
        let exporter = try ExporterUnderTest(upstream)
        #expect(await exporter.poll(at: Self.start), "\(exporter.down)")
        let scrape = try exporter.scrape(at: Self.start)

        #expect(!upstream.requests.isEmpty)
        #expect(upstream.requests.allSatisfy { $0.header("accept-encoding")?.contains("gzip") == true })
        #expect(Self.values(scrape) == Self.values(try plain.scrape(at: Self.start)))

        // Per source where its paths are its own (CoinMarketCap's quotes look ids up on /map themselves when the
        // map has not resolved them, so those two are only in the total); in total over every source.
        // A declared path ending in `/` takes a parameter (`/providers/{owner}`): every request path under it.
        let paths = { (source: Source) in
            Set(source.endpoints.flatMap { endpoint in
                let path = Recorded.api(source.api).prefix + endpoint.path
                return path.hasSuffix("/") ? Set(upstream.requests.map(\.path).filter { $0.hasPrefix(path) }).sorted() : [path]
            })
        }
        let owners = Dictionary(grouping: SourceRegistry.all.flatMap { source in paths(source).map { ($0, source.name) } },
                                by: \.0)
        var counted = 0.0
        for source in SourceRegistry.all {
            let bytes = try #require(scrape.value("akash_exporter_source_response_bytes_total{source=\"\(source.name)\"}"))
            counted += bytes
            if source.api.name != UpstreamAPI.coinMarketCap.name, paths(source).allSatisfy({ owners[$0]?.count == 1 }) {
                #expect(bytes == Double(paths(source).map(upstream.bodyBytesSent).reduce(0, +)), "\(source.name)")
            }
        }
        // Every path asked for, a block asked for by its height included.
        #expect(counted == Double(Set(upstream.requests.map(\.path)).map(upstream.bodyBytesSent).reduce(0, +)))
        let providers = try #require(scrape.value("akash_exporter_source_response_bytes_total{source=\"akash_providers\"}"))
        let plainSize = Double(try Fixtures.data("akash/providers.json").count)
        #expect(providers > 0 && providers < plainSize)
    }

    @Test("a 64 KB gzip body inflating past the cap fails with decode, and the source keeps serving its last good data")
    func decompressionBombRefused() async throws {
        let upstream = try AppFakes.allUpstreams()
        defer { upstream.stop() }
        let exporter = try ExporterUnderTest(upstream)
        #expect(await exporter.poll(at: Self.start))
        let registered = #"akash_providers{state="registered"}"#
        let before = try #require(try exporter.scrape(at: Self.start).value(registered))

        let bomb = Gzip.compress(Data(count: 64 << 20))
        #expect(bomb.count < 80_000)
        upstream.route("/console/v1/providers", .gzipped(bomb))
        let later = Self.start.addingTimeInterval(60)
        #expect(await exporter.poll(at: later) == false)
        let health = try #require(exporter.health.health(of: "akash_providers"))
        #expect(health.failures[.decode] == 1)
        #expect(health.lastError?.contains("body larger than") == true)
        #expect(try exporter.scrape(at: later).value(registered) == before)
    }

    @Test("a 304 to a conditional request keeps the data and up at 1, counts as a request, and renews the data's age")
    func notModifiedKeepsTheData() async throws {
        let upstream = try AppFakes.allUpstreams()
        defer { upstream.stop() }
        upstream.route("/console/v1/providers", .conditional(etag: "\"providers-1\"", lastModified: "Tue, 26 May 2026 12:00:00 GMT",
                                                             .fixture("akash/providers.json")))
        let exporter = try ExporterUnderTest(upstream)
        let registered = #"akash_providers{state="registered"}"#
        #expect(await exporter.poll(at: Self.start))
        let value = try #require(try exporter.scrape(at: Self.start).value(registered))
        let first = try #require(upstream.requests.last { $0.path == "/console/v1/providers" && $0.query == nil })
        #expect(first.header("if-none-match") == nil)

        let maxAge = exporter.maxAge(of: "akash_providers")
        let second = Self.start.addingTimeInterval(maxAge - 10)
        #expect(await exporter.poll(at: second), "\(exporter.down)")
        let asked = try #require(upstream.requests.last { $0.path == "/console/v1/providers" && $0.query == nil })
        #expect(asked.header("if-none-match") == "\"providers-1\"")
        #expect(asked.header("if-modified-since") == "Tue, 26 May 2026 12:00:00 GMT")
        let health = try #require(exporter.health.health(of: "akash_providers"))
        #expect(health.up == true)
        #expect(health.requests == 2)
        #expect(health.failures.values.reduce(0, +) == 0)
        // Past the first answer's max age, the 304 keeps the data current.
        let scrape = try exporter.scrape(at: Self.start.addingTimeInterval(maxAge + 10))
        #expect(scrape.value(registered) == value)
        #expect(scrape.value("akash_exporter_source_up{source=\"akash_providers\"}") == 1)
    }
}
