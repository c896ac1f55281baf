import Foundation
import Testing
@testable import AkashExporter
import ExporterKit
import TestSupport

/// The registry is the one list of sources: what the exporter runs, what the fault matrix breaks, what the app
/// tests and the scripts' fake upstream serve, and what the README lists. Each test here fails when one of them
/// is out of step with it. `UPDATE_GOLDEN=1 swift test --filter SourceRegistry` rewrites the generated files
/// (`scripts/sources.json`, the README table); review the diff.
@Suite("Source registry")
struct SourceRegistryTests {
    /// The generated description of the sources that `scripts/fake_upstream.py` and `scripts/e2e.sh` read.
    struct ScriptSources: Encodable {
        struct API: Encodable {
            let prefix: String
            let urlFlag: String

            enum CodingKeys: String, CodingKey {
                case prefix, urlFlag = "url_flag"
            }
        }

        let comment = "Generated from SourceRegistry.all by `UPDATE_GOLDEN=1 swift test --filter SourceRegistry`; "
            + "a test fails when it is out of step. Do not edit by hand."
        /// Every registered source's name.
        let sources: [String]
        /// Where each API is served and the flag pointing the exporter at it.
        let apis: [API]
        /// The flags setting a poll interval (end-to-end runs shorten them all).
        let intervalFlags: [String]
        /// Flags the recorded bodies assume.
        let flags: [String]
        /// Request path (with a required query parameter after `?`) -> recorded body, from the repository root.
        let routes: [String: String]

        enum CodingKeys: String, CodingKey {
            case comment = "_comment", sources, apis, intervalFlags = "interval_flags", flags, routes
        }

        init(_ sources: [SourceDeclaration]) {
            self.sources = sources.map(\.name)
            apis = sources.apis.map { API(prefix: $0.fakePrefix, urlFlag: $0.urlFlag) }
            intervalFlags = sources.compactMap(\.intervalFlag).uniqued()
            flags = sources.flatMap(\.recorded.flags).uniqued()
            routes = Dictionary(sources.fakeRoutes.map { ($0.target, "Tests/Fixtures/" + $0.recordedBody) },
                                uniquingKeysWith: { first, _ in first })
        }

        var json: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
        }
    }

    @Test("every source the exporter runs is registered, and every registered source runs when enabled")
    func runnerMatchesRegistry() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        // A key (cmc_key_info) and a symbol never resolved (cmc_map): every source enabled.
        let exporter = try ExporterUnderTest(fake)
        #expect(exporter.sourceNames.sorted() == SourceRegistry.all.map(\.name).sorted())
        #expect(Set(SourceRegistry.all.map(\.name)).count == SourceRegistry.all.count, "a source name is declared twice")
    }

    @Test("the fault matrix puts every registered source through every fault")
    func faultMatrixCoversRegistry() {
        #expect(SourceUnderTest.all.map(\.name) == SourceRegistry.all.map(\.name))
        for source in SourceUnderTest.all {
            #expect(!source.declaration.endpoints.isEmpty, "\(source) calls no path")
        }
    }

    @Test("every flag a declaration names is a flag of the exporter")
    func declaredFlagsExist() {
        let flags = Set(ExporterConfig.flags.map(\.name))
        for source in SourceRegistry.all {
            for flag in [source.api.urlFlag, source.timeoutFlag] + (source.intervalFlag.map { [$0] } ?? []) {
                #expect(flags.contains(flag), "\(source): no flag --\(flag)")
            }
        }
    }

    @Test("the app tests serve every registered endpoint's recorded body on loopback, and point every API there")
    func appRoutingCoversRegistry() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        for source in SourceRegistry.all {
            for endpoint in source.endpoints {
                let target = source.api.fakePrefix + endpoint.target
                let answer = try TestClient.fetch(port: fake.baseURL.port!, path: target)
                #expect(answer.status == 200, "\(source): \(target)")
                #expect(answer.body == (try Fixtures.string(endpoint.recordedBody)), "\(source): \(target)")
            }
        }
        let flags = AppFakes.upstreamFlags(fake)
        for api in SourceRegistry.all.apis {
            #expect(flags.contains(api.urlFlag(fake)), "--\(api.urlFlag) is not pointed at the fake")
        }
    }

    @Test("scripts/sources.json (the scripts' fake upstream routes and end-to-end flags) is the registry's")
    func scriptRoutesMatchRegistry() throws {
        try Golden.compare(ScriptSources(SourceRegistry.all).json,
                           file: Fixtures.repositoryRoot.appendingPathComponent("scripts/sources.json"))
    }

    @Test("the README's sources table is the registry's")
    func readmeTableMatchesRegistry() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("README.md")
        let readme = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        let begin = "<!-- sources table: generated from SourceRegistry.all -->\n"
        let end = "<!-- end of sources table -->\n"
        let start = try #require(readme.range(of: begin), "README.md has no \(begin)")
        let stop = try #require(readme.range(of: end, range: start.upperBound..<readme.endIndex))
        var expected = readme
        expected.replaceSubrange(start.upperBound..<stop.lowerBound, with: SourceRegistry.all.readmeTable)
        try Golden.compare(expected, file: url)
    }
}
