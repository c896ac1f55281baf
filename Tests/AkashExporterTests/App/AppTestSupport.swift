import Foundation
@testable import AkashExporter
import ExporterKit
import TestSupport

/// One fake server for every upstream API, each under the prefix a user would put in its URL flag, serving every
/// registered source's recorded bodies (`Recorded.sources`): no app test can reach the real internet.
enum AppFakes {
    static let owner = Recorded.owner
    static let apiKey = "CMC-SECRET-KEY-1f2e3d4c5b6a"

    static func allUpstreams() throws -> FakeUpstream {
        let fake = try FakeUpstream()
        routeEverything(on: fake)
        return fake
    }

    /// Routes every registered source's recorded bodies (again: how a test heals a broken upstream). Several
    /// sources may share a path (one list for owners, one for providers, one for the whole network, a list's pages):
    /// a request gets the body whose query parameters it carries (and none it forbids), the most specific first, and
    /// belongs to that body's source; a request no body matches gets 404. The requests of `broken` get `fault`.
    static func routeEverything(on fake: FakeUpstream, breaking broken: Source? = nil, with fault: FakeReply? = nil) {
        fake.routeTable(routes(breaking: broken, with: fault))
    }

    /// The route table `routeEverything` serves, one entry per recorded body, prefix included.
    static func routes(breaking broken: Source? = nil, with fault: FakeReply? = nil) -> [FakeRoute] {
        SourceRegistry.all.flatMap { source in
            Recorded.of(source).routes.map { route in
                let path = Recorded.api(source.api).prefix + route.path
                let reply = fault.flatMap { source.name == broken?.name ? $0 : nil } ?? .fixture(route.body)
                return FakeRoute(path, requiring: route.parameters, forbidding: route.forbidden, owner: source.name, reply)
            }
        }
    }

    /// Flags pointing every registered API at `fake`, plus the flags the recorded bodies assume (the owner), with
    /// every first poll at once (no start spread), as the tests expect the exporter ready within seconds.
    static func upstreamFlags(_ fake: FakeUpstream) -> [String] {
        Source.apis(SourceRegistry.all).map { $0.urlFlag(fake) } + Recorded.flags + ["--poll.start-spread=0s"]
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
