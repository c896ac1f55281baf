import FoundationEssentials

/// An upstream API that one or more sources call: how failure messages name it and the flag holding its base URL.
public struct UpstreamAPI: Sendable, Hashable, CustomStringConvertible {
    /// `Console`, `CoinMarketCap`, `chain REST`: the first words of every failure message about it.
    public let name: String
    /// The flag holding its base URL (`akash.console-url`).
    public let urlFlag: String

    public init(name: String, urlFlag: String) {
        self.name = name
        self.urlFlag = urlFlag
    }

    /// How a failure message names one of its endpoints: `Console /v1/gpu-prices`.
    public func describe(_ path: String) -> String {
        "\(name) \(path)"
    }

    public var description: String { name }
}

/// What a declaration's factory makes: the poller the runner schedules and the collectors that render what it
/// keeps (a collector reading several sources' boxes is made by one of them, the one it cannot do without).
public struct MadeSource: Sendable {
    public let poller: any PolledSource
    public let collectors: [any MetricsCollector]

    public init(_ poller: any PolledSource, collectors: [any MetricsCollector] = []) {
        self.poller = poller
        self.collectors = collectors
    }
}

/// One source, declared once in its own file, the way node_exporter's `registerCollector` does it: its name, the
/// API and paths it calls, the flags setting its schedule and timeout, and the factory that makes it from the
/// parsed configuration. A registry is a list of these; the exporter makes every one of them and runs what they
/// return, so a source that is not declared cannot run.
///
/// `Setup` is what a factory is given: the parsed flags and the dependencies the application's sources share.
public struct SourceDeclaration<Setup>: Sendable, CustomStringConvertible {
    /// One upstream path the source calls, relative to the API's base URL: `/v1/gpu-prices`.
    public struct Endpoint: Sendable, Equatable {
        public let path: String

        public init(_ path: String) {
            self.path = path
        }
    }

    /// The `source` label: `akash_gpu_prices`.
    public let name: String
    public let api: UpstreamAPI
    /// Every path it calls, the main one first.
    public let endpoints: [Endpoint]
    /// The README's "upstream" column (markdown).
    public let summary: String
    /// The README's "default schedule" column.
    public let schedule: String
    /// The flag setting its poll interval; nil for a fixed one. The factory reads the interval from this flag
    /// alone (a test sets each one and checks the made poller's interval).
    public let intervalFlag: FlagSpec?
    /// The flag setting its whole-request timeout.
    public let timeoutFlag: FlagSpec
    /// Makes the source from the parsed configuration; nil when the configuration leaves it off (its area
    /// disabled, nothing to watch, nothing to look up).
    public let make: @Sendable (Setup) -> MadeSource?

    public init(name: String, api: UpstreamAPI, endpoints: [Endpoint], summary: String, schedule: String,
                intervalFlag: FlagSpec?, timeoutFlag: FlagSpec, make: @escaping @Sendable (Setup) -> MadeSource?) {
        self.name = name
        self.api = api
        self.endpoints = endpoints
        self.summary = summary
        self.schedule = schedule
        self.intervalFlag = intervalFlag
        self.timeoutFlag = timeoutFlag
        self.make = make
    }

    public var description: String { name }

    /// The README row: `| name | upstream | schedule |`.
    public var readmeRow: String {
        "| `\(name)` | \(summary) | \(schedule) |"
    }

    /// The README's sources table, header included.
    public static func readmeTable(_ sources: [Self]) -> String {
        (["| source | upstream | default schedule |", "|---|---|---|"] + sources.map(\.readmeRow)).joined(separator: "\n") + "\n"
    }

    /// The APIs `sources` call, in order of first use.
    public static func apis(_ sources: [Self]) -> [UpstreamAPI] {
        var seen: [UpstreamAPI] = []
        for api in sources.map(\.api) where !seen.contains(api) { seen.append(api) }
        return seen
    }
}
