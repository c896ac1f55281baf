import Foundation
@testable import AkashExporter
import ExporterKit
import TestSupport

/// One fake server for every upstream API, each under the prefix a user would put in its URL flag, serving every
/// registered source's recorded bodies (`SourceRegistry.all`): no app test can reach the real internet.
enum AppFakes {
    static let owner = AccountArea.recordedOwner
    static let apiKey = "CMC-SECRET-KEY-1f2e3d4c5b6a"

    static func allUpstreams() throws -> FakeUpstream {
        let fake = try FakeUpstream()
        routeEverything(on: fake)
        return fake
    }

    /// Routes every registered endpoint to its recorded body (again: how a test heals a broken upstream). Where
    /// several bodies share a path (a list's pages, one list for owners and one for providers), a request gets the
    /// one whose query parameters it carries, the most specific first. The requests of `broken` get `fault`.
    static func routeEverything(on fake: FakeUpstream, breaking broken: SourceDeclaration? = nil, with fault: FakeReply? = nil) {
        let endpoints = SourceRegistry.all.flatMap { source in source.endpoints.map { (source: source, endpoint: $0) } }
        for (path, candidates) in Dictionary(grouping: endpoints, by: { $0.source.api.fakePrefix + $0.endpoint.path }) {
            let bySpecificity = candidates.sorted { $0.endpoint.parameters.count > $1.endpoint.parameters.count }
            fake.route(path) { request in
                let parameters = Set((request.query ?? "").split(separator: "&").map { $0.removingPercentEncoding ?? String($0) })
                let match = bySpecificity.first { $0.endpoint.parameters.allSatisfy(parameters.contains) } ?? bySpecificity.last!
                if let fault, match.source.name == broken?.name { return fault }
                return .fixture(match.endpoint.recordedBody)
            }
        }
    }

    /// Flags pointing every registered API at `fake`, plus the flags the recorded bodies assume (the owner), with
    /// every first poll at once (no start spread), as the tests expect the exporter ready within seconds.
    static func upstreamFlags(_ fake: FakeUpstream) -> [String] {
        SourceRegistry.all.apis.map { $0.urlFlag(fake) } + SourceRegistry.all.flatMap(\.recorded.flags).uniqued()
            + ["--poll.start-spread=0s"]
    }

    /// Drops the series whose values depend on the run (durations, times, process figures), node_exporter style.
    static func deterministic(_ exposition: String) -> String {
        let unstable = ["akash_exporter_source_duration_seconds", "akash_exporter_source_last_success_timestamp_seconds",
                        "akash_exporter_cmc_credits_projected_monthly", "process_"]
        return exposition.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !unstable.contains { line.hasPrefix($0) || line.hasPrefix("# HELP \($0)") || line.hasPrefix("# TYPE \($0)") }
        }.joined(separator: "\n")
    }
}

/// The built executable, for tests of what a user sees: exit codes, stderr, signals.
enum ExporterBinary {
    static let url: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/akash-cost-exporter")
    }()

    typealias Result = Tool.Result

    /// Runs to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try Tool.run(url.path, arguments, environment: environment)
    }
}
