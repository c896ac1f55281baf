import FoundationEssentials

/// An upstream API that one or more sources call: how failure messages name it, the flag holding its base URL,
/// and the path prefix under which the loopback fakes (the app tests, `scripts/fake_upstream.py`) serve it.
public struct UpstreamAPI: Sendable, Hashable, CustomStringConvertible {
    /// `Console`, `CoinMarketCap`, `chain REST`: the first words of every failure message about it.
    public let name: String
    /// The flag holding its base URL (`akash.console-url`).
    public let urlFlag: String
    /// Where the fakes serve it (`/console`): one loopback server plays every API, each under its prefix.
    public let fakePrefix: String
    /// Further prefixes the script fake serves the same bodies under (CoinMarketCap's keyless `/public-api`).
    public let fakeAliases: [String]

    public init(name: String, urlFlag: String, fakePrefix: String, fakeAliases: [String] = []) {
        self.name = name
        self.urlFlag = urlFlag
        self.fakePrefix = fakePrefix
        self.fakeAliases = fakeAliases
    }

    /// How a failure message names one of its endpoints: `Console /v1/gpu-prices`.
    public func describe(_ path: String) -> String {
        "\(name) \(path)"
    }

    public var description: String { name }
}

/// One source, declared once next to its code: its name, the API and paths it calls, its schedule and timeout
/// flags, and the recorded bodies it is tested with. The registry is the list of these; the runner's list is
/// checked against it, and the fault matrix, the app tests' loopback routing, the fake upstream's routes file
/// and the README's sources table are all derived from it.
public struct SourceDeclaration: Sendable, CustomStringConvertible {
    /// One upstream path the source calls and the recorded body that stands for its healthy answer.
    public struct Endpoint: Sendable, Equatable {
        /// Relative to the API's base URL: `/v1/gpu-prices`.
        public let path: String
        /// `name=value&name=value`, values unencoded: this body answers the requests that carry every one of these
        /// query parameters (the most specific match wins): one address's list, or its second page.
        public let query: String?
        /// Under `Tests/Fixtures/`: `akash/gpu-prices.json`.
        public let recordedBody: String

        public init(_ path: String, query: String? = nil, recordedBody: String) {
            self.path = path
            self.query = query
            self.recordedBody = recordedBody
        }

        /// The query's parameters, `name=value` each.
        public var parameters: [String] {
            query.map { $0.split(separator: "&").map(String.init) } ?? []
        }

        /// The request target relative to the API's base: path and query, values percent-encoded.
        public var target: String {
            guard let query else { return path }
            let encoded = query.split(separator: "&").map { parameter in
                let (name, value) = parameter.firstIndex(of: "=").map { (parameter[..<$0], parameter[parameter.index(after: $0)...]) }
                    ?? (parameter[...], "")
                return name + "=" + URL.percentEncodedQueryValue(String(value))
            }
            return path + "?" + encoded.joined(separator: "&")
        }
    }

    /// What an answer with nothing in it (an empty list or object) does to the source.
    public enum EmptyAnswer: Sendable, Equatable {
        /// The poll fails with this reason and the last good value stays.
        case fails(FailureReason)
        /// A valid answer: the source stays up and its series become exactly these sample lines.
        case valid([String])
    }

    /// How the source's recorded bodies behave, what the fault matrix checks against.
    public struct Recorded: Sendable {
        /// Prefixes of the sample lines filled from this source's data alone (`akash_gpu`, or a whole series
        /// `akash_providers{state="active"}`); empty for a source that keeps no series of its own.
        public let series: [String]
        /// The upstream's form of "nothing": an empty `data`, list or object.
        public let emptyBody: String
        public let emptyAnswer: EmptyAnswer
        /// Flags the recorded bodies assume, e.g. the owner address whose leases they hold.
        public let flags: [String]

        public init(series: [String], emptyBody: String, emptyAnswer: EmptyAnswer, flags: [String] = []) {
            self.series = series
            self.emptyBody = emptyBody
            self.emptyAnswer = emptyAnswer
            self.flags = flags
        }
    }

    /// The `source` label: `akash_gpu_prices`.
    public let name: String
    public let api: UpstreamAPI
    /// Every path it calls; the first is the one the fault matrix breaks.
    public let endpoints: [Endpoint]
    /// The README's "upstream" column (markdown).
    public let summary: String
    /// The README's "default schedule" column.
    public let schedule: String
    /// The flag setting its poll interval; nil for a fixed one.
    public let intervalFlag: String?
    /// The flag setting its whole-request timeout.
    public let timeoutFlag: String
    public let recorded: Recorded

    public init(name: String, api: UpstreamAPI, endpoints: [Endpoint], summary: String, schedule: String,
                intervalFlag: String?, timeoutFlag: String, recorded: Recorded) {
        self.name = name
        self.api = api
        self.endpoints = endpoints
        self.summary = summary
        self.schedule = schedule
        self.intervalFlag = intervalFlag
        self.timeoutFlag = timeoutFlag
        self.recorded = recorded
    }

    public var description: String { name }

    /// The README row: `| name | upstream | schedule |`.
    public var readmeRow: String {
        "| `\(name)` | \(summary) | \(schedule) |"
    }
}

extension [SourceDeclaration] {
    /// The README's sources table, header included.
    public var readmeTable: String {
        (["| source | upstream | default schedule |", "|---|---|---|"] + map(\.readmeRow)).joined(separator: "\n") + "\n"
    }

    /// The APIs the sources call, in order of first use.
    public var apis: [UpstreamAPI] {
        var seen: [UpstreamAPI] = []
        for api in map(\.api) where !seen.contains(api) { seen.append(api) }
        return seen
    }

    /// Every request target the loopback fakes serve, prefix included, and its recorded body:
    /// `/console/v1/gpu-prices` -> `akash/gpu-prices.json`; a query-bound body as `/chain/...list?filters.owner=...`.
    /// Also under each API's further prefixes.
    public var fakeRoutes: [(target: String, recordedBody: String)] {
        flatMap { source in
            ([source.api.fakePrefix] + source.api.fakeAliases).flatMap { prefix in
                source.endpoints.map { (prefix + $0.target, $0.recordedBody) }
            }
        }
    }
}
