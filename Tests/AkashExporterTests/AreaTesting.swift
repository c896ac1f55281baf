@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation

/// What the tests of every area do the same way: poll one source outside the runner, and read one sample back
/// from the families the collectors built.
enum AreaTesting {
    /// Flags parsed the way the exporter parses them (every area's flags, environment fallbacks, defaults), for
    /// building one area's configuration in a test.
    static func flags(_ arguments: [String], environment: [String: String] = [:]) throws(ConfigError) -> ParsedFlags {
        guard case .values(let flags) = try FlagParser.parse(arguments, specs: ExporterConfig.flags, environment: environment,
                                                             environmentPrefix: ExporterConfig.environmentPrefix) else {
            preconditionFailure("--help or --version in test arguments")
        }
        return flags
    }

    /// Polls `source` once with the clock at `now`, its requests counted in `health`; the failure, or nil.
    static func poll(_ source: any PolledSource, via upstream: any UpstreamFetching, at now: Date,
                     health: HealthRegistry? = nil) async -> SourceFailure? {
        let context = PollContext(source: source.name, now: now, upstream: upstream,
                                  health: health ?? HealthRegistry(sources: [source.name]))
        do throws(SourceFailure) {
            try await source.poll(context)
            return nil
        } catch {
            return error
        }
    }
}

/// Samples of rendered-to-be families, looked up the way a user's query would: by name and exact label set.
enum Samples {
    /// The value of the sample of `name` with exactly `labels`, or nil when there is none.
    static func value(_ families: [MetricFamily], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        let wanted = Set(labels.map { Label($0.key, $0.value) })
        return families.filter { $0.name == name }.flatMap(\.samples).first { Set($0.labels) == wanted }?.value
    }

    /// How many samples the families named `name` hold.
    static func count(_ families: [MetricFamily], _ name: String) -> Int {
        families.filter { $0.name == name }.reduce(0) { $0 + $1.samples.count }
    }
}

extension MadeSources {
    func source(_ name: String) -> any PolledSource {
        guard let source = sources.first(where: { $0.name == name }) else {
            preconditionFailure("no source \(name) among \(sources.map(\.name))")
        }
        return source
    }

    /// Every family the area's collectors give at `now`.
    func collect(now: Date) -> [MetricFamily] {
        collectors.flatMap { $0.collect(now: now) }
    }

    /// Polls every source once at `now`; the failures by source name.
    @discardableResult
    func pollAll(_ upstream: any UpstreamFetching, now: Date = ComputeTest.pollTime) async -> [String: SourceFailure] {
        var failures: [String: SourceFailure] = [:]
        for source in sources {
            if let failure = await AreaTesting.poll(source, via: upstream, at: now) { failures[source.name] = failure }
        }
        return failures
    }

}

/// An area made for a test, polled through one upstream at the time its recorded bodies were taken: the harnesses
/// of the chain areas (tenant, provider, on chain) are this plus their fake chain's routes.
protocol AreaHarness {
    static var pollTime: Date { get }
    var area: MadeSources { get }
    var upstream: CurlUpstream { get }
}

extension AreaHarness {
    func source(_ name: String) -> any PolledSource {
        area.source(name)
    }

    /// Polls one source once at `now`; the failure, or nil on success.
    func poll(_ name: String, at now: Date = Self.pollTime) async -> SourceFailure? {
        await AreaTesting.poll(source(name), via: upstream, at: now)
    }

    /// Polls every source once; the failures by source name.
    func pollAll(at now: Date = Self.pollTime) async -> [String: SourceFailure] {
        await area.pollAll(upstream, now: now)
    }

    func collect(at now: Date = Self.pollTime) -> [MetricFamily] {
        area.collect(now: now)
    }

    func render(at now: Date = Self.pollTime) throws -> String {
        try TextFormat.renderString(collect(at: now))
    }
}
