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
        /// Flags the recorded bodies assume (the tests' table).
        let flags: [String]
        /// Request path (with the query parameters required after `?`, a forbidden name as `!name`) -> recorded
        /// body, from the repository root.
        let routes: [String: String]

        enum CodingKeys: String, CodingKey {
            case comment = "_comment", sources, apis, intervalFlags = "interval_flags", flags, routes
        }

        init(_ sources: [Source]) {
            self.sources = sources.map(\.name)
            apis = Source.apis(sources).map { API(prefix: Recorded.api($0).prefix, urlFlag: $0.urlFlag) }
            intervalFlags = sources.compactMap(\.intervalFlag?.name).uniqued()
            flags = Recorded.flags
            routes = Dictionary(Recorded.fakeRoutes.map { ($0.key, "Tests/Fixtures/" + $0.body) },
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

    @Test("every made source is the one its declaration names: nothing runs that is not registered")
    func madeSourcesAreDeclared() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let exporter = try ExporterUnderTest(fake)
        let config = exporter.exporter.config
        let setup = SourceSetup(config, shared: SharedDependencies(blockTime: BlockTime(try #require(config.areas[ChainArea.self]).blockTimeSetting)))
        for declaration in SourceRegistry.all {
            let made = try #require(declaration.make(setup), "\(declaration) is off with every area on")
            #expect(made.poller.name == declaration.name)
        }
        #expect(SourceRegistry.make(setup).sources.map(\.name) == SourceRegistry.all.map(\.name))
    }

    @Test("every declared interval flag is the one its source polls at", arguments: SourceRegistry.all.filter { $0.intervalFlag != nil })
    func intervalFlagIsUsed(_ declaration: Source) throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let flag = try #require(declaration.intervalFlag).name
        let exporter = try ExporterUnderTest(fake, ["--\(flag)=7m"])
        let source = try #require(exporter.exporter.sources.first { $0.name == declaration.name })
        #expect(source.interval == 420, "\(declaration) polls every \(source.interval) s, not at --\(flag)")
    }

    @Test("the fault matrix puts every registered source through every fault")
    func faultMatrixCoversRegistry() {
        #expect(SourceUnderTest.all.map(\.name) == SourceRegistry.all.filter { Recorded.of($0).inFaultMatrix }.map(\.name))
        for source in SourceUnderTest.all {
            #expect(!source.declaration.endpoints.isEmpty, "\(source) calls no path")
            #expect(!source.recorded.routes.isEmpty, "\(source) has no recorded body")
            for route in source.recorded.routes {
                #expect(source.declaration.endpoints.contains { Self.path(route.path, matches: $0.path) },
                        "\(source): recorded \(route.path) is not a declared endpoint")
            }
        }
        #expect(Set(Recorded.sources.keys) == Set(SourceRegistry.all.map(\.name)), "Recorded.sources lists a source not registered")
    }

    /// A declared path may name a segment `{height}`: any one segment matches it.
    static func path(_ path: String, matches declared: String) -> Bool {
        let parts = path.split(separator: "/"), pattern = declared.split(separator: "/")
        return parts.count == pattern.count
            && zip(parts, pattern).allSatisfy { $1 == $0 || ($1.hasPrefix("{") && $1.hasSuffix("}")) }
    }

    @Test("every flag a declaration names is a flag of the exporter")
    func declaredFlagsExist() {
        let flags = Set(ExporterConfig.flags.map(\.name))
        for source in SourceRegistry.all {
            for flag in [source.api.urlFlag, source.timeoutFlag.name] + (source.intervalFlag.map { [$0.name] } ?? []) {
                #expect(flags.contains(flag), "\(source): no flag --\(flag)")
            }
        }
    }

    @Test("each area's flags are parsed once, by the area, and every area is configured from the defaults")
    func areasOwnTheirFlags() throws {
        let names = ExporterConfig.flags.map(\.name)
        #expect(names.count == Set(names).count, "a flag is declared twice: \(names)")
        let config = try ExporterConfig(AreaTesting.flags([]), environment: [:])
        for area in SourceRegistry.areas {
            let configured = Self.isConfigured(area, config.areas)
            #expect(configured, "\(area) has no configuration")
        }
    }

    private static func isConfigured<Area: SourceArea>(_ area: Area.Type, _ configs: AreaConfigs) -> Bool {
        configs[area] != nil
    }

    @Test("the app tests serve every registered source's recorded bodies on loopback, and point every API there")
    func appRoutingCoversRegistry() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        for source in SourceRegistry.all {
            for route in Recorded.of(source).routes {
                let target = Recorded.api(source.api).prefix + route.target
                let answer = try TestClient.fetch(port: fake.baseURL.port!, path: target)
                #expect(answer.status == 200, "\(source): \(target)")
                #expect(answer.body == (try Fixtures.string(route.body)), "\(source): \(target)")
            }
        }
        let flags = AppFakes.upstreamFlags(fake)
        for api in Source.apis(SourceRegistry.all) {
            #expect(flags.contains(api.urlFlag(fake)), "--\(api.urlFlag) is not pointed at the fake")
        }
    }

    @Test("two sources on one path: each request gets its own source's body, and breaking one leaves the other")
    func twoSourcesOnOnePath() throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let leases = try #require(SourceRegistry.declaration(named: "akash_leases"))
        fake.routeTable(AppFakes.routes(breaking: leases, with: .status(500, body: Data("broken\n".utf8))))
        let path = "/chain" + LeasesPage.path
        let owner = try TestClient.fetch(port: Int(fake.port), path: path + "?filters.owner=\(Recorded.owner)&filters.state=active")
        let provider = try TestClient.fetch(port: Int(fake.port), path: path + "?filters.provider=\(Recorded.provider)&filters.state=active")
        #expect(owner.status == 500)
        #expect(provider.status == 200)
        #expect(provider.body == (try Fixtures.string("chain/provider-leases-page1.json")))
        #expect(try TestClient.fetch(port: Int(fake.port), path: path).status == 404, "a request of no source")
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
        expected.replaceSubrange(start.upperBound..<stop.lowerBound, with: Source.readmeTable(SourceRegistry.all))
        try Golden.compare(expected, file: url)
    }
}

/// docs/development.md's layout block names every folder of the product and every script, so a newcomer's map is
/// never missing a place.
@Suite("Development layout")
struct DevelopmentLayoutTests {
    static let doc = "docs/development.md"

    func layout() throws -> Substring {
        let text = String(decoding: try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(Self.doc)), as: UTF8.self)
        let start = try #require(text.range(of: "```\nSources/\n"), "\(Self.doc) has no layout block")
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        return text[start.upperBound..<end.lowerBound]
    }

    @Test("every folder under Sources/ and Sources/AkashExporter/ is named in the layout")
    func everyFolderNamed() throws {
        let root = Fixtures.repositoryRoot
        let layout = try layout()
        for parent in ["Sources", "Sources/AkashExporter"] {
            let url = root.appendingPathComponent(parent)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory),
                      isDirectory.boolValue else { continue }
                #expect(layout.contains(" \(name)/ "), "\(Self.doc) layout does not name \(parent)/\(name)/")
            }
        }
    }

    @Test("every script under scripts/ is named in the layout")
    func everyScriptNamed() throws {
        let layout = try layout()
        let scripts = Fixtures.repositoryRoot.appendingPathComponent("scripts")
        let names = try FileManager.default.contentsOfDirectory(atPath: scripts.path)
            .filter { $0.hasSuffix(".sh") || $0.hasSuffix(".py") }.sorted()
        #expect(names.count > 10, "scripts/ lists \(names.count) scripts")
        for name in names {
            #expect(layout.contains(name), "\(Self.doc) layout does not name scripts/\(name)")
        }
    }
}
