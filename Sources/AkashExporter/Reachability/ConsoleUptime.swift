import ExporterKit
import Exposition
import FoundationEssentials

/// Source `akash_provider_console`: what the Akash Console's own checks say of the providers the view watches,
/// `GET /v1/providers?addresses=a,b,...` (at most 20 a request), every 5 minutes (the list is memoized 60 s
/// upstream, and its uptime figures move every 10 minutes).
///
/// The Console sends an uptime of exactly 0 as `null` (`uptimeNd || null`): with a `lastCheckDate`, `null` is 0. A
/// provider it never checked (`lastCheckDate` null) has no online or uptime series: nothing is known.
struct ConsoleUptime: PolledSource {
    static let path = "/v1/providers"
    static let interval: Double = 300
    static let batchSize = 20
    /// 20 list entries are about 60 KiB.
    static let maxBodyBytes = 4 << 20

    static let declaration = Source(
        name: "akash_provider_console", api: .akashConsole, endpoints: [.init(path)],
        summary: "Console `GET /v1/providers?addresses=…` for the probed providers (online, uptime)", schedule: "5 min",
        intervalFlag: nil, timeoutFlag: ComputeConfig.consoleTimeoutFlag.spec
    ) { setup in
        guard setup[ReachabilityArea.self] != nil, let compute = setup[ComputeArea.self], compute.enabled,
              let providers = ProbedProviders.source(setup) else { return nil }
        let source = ConsoleUptime(consoleURL: compute.consoleURL, timeout: compute.consoleTimeout,
                                   providers: providers, leases: setup.shared.paidLeases)
        return MadeSource(source, collectors: [ConsoleUptimeCollector(lastGood: source.lastGood)])
    }

    let consoleURL: URL
    let timeout: Double
    let providers: @Sendable (Date) -> [String]
    let leases: PaidLeases
    let lastGood = LastGood<[String: ConsoleView]>(pollInterval: ConsoleUptime.interval)

    var name: String { "akash_provider_console" }
    var interval: Double { Self.interval }

    func poll(_ context: PollContext) async throws(SourceFailure) {
        await leases.firstPoll()
        let providers = providers(context.now)
        var views: [String: ConsoleView] = [:]
        for start in stride(from: 0, to: providers.count, by: Self.batchSize) {
            let batch = Array(providers[start..<min(start + Self.batchSize, providers.count)])
            let request = UpstreamRequest(
                url: consoleURL.appendingAPIPath(Self.path, query: [("addresses", batch.joined(separator: ","))]),
                headers: ["Accept": "application/json"], timeout: timeout, maxBodyBytes: Self.maxBodyBytes)
            let what = UpstreamAPI.akashConsole.describe(Self.path)
            let entries = try await context.fetchJSON([Entry].self, request, what: what)
            // Only the providers asked about: the answer is the Console's, and a label is ours to bound.
            for entry in entries where batch.contains(entry.owner) {
                views[entry.owner] = try entry.view(what: what)
            }
        }
        lastGood.set(views, at: context.now)
    }

    /// One list entry, the fields this view reads.
    struct Entry: Decodable, Sendable {
        let owner: String
        let isOnline: Bool?
        let lastCheckDate: String?
        let lastOnlineDate: String?
        let uptime1d: Double?
        let uptime7d: Double?
        let uptime30d: Double?

        func view(what: String) throws(SourceFailure) -> ConsoleView {
            func time(_ text: String?, _ field: String) throws(SourceFailure) -> Date? {
                guard let text else { return nil }
                guard let date = RFC3339.parse(text) else { throw SourceFailure(.decode, "\(what): \(field) is not an RFC 3339 time") }
                return date
            }
            let uptimes = [("1d", uptime1d), ("7d", uptime7d), ("30d", uptime30d)]
            for (window, value) in uptimes {
                if let value, !(0...1).contains(value) { throw SourceFailure(.decode, "\(what): uptime\(window) outside 0-1") }
            }
            guard try time(lastCheckDate, "lastCheckDate") != nil else { return ConsoleView(checked: false) }
            return ConsoleView(checked: true, online: isOnline ?? false, lastOnline: try time(lastOnlineDate, "lastOnlineDate"),
                               uptime: uptimes.map { ($0.0, $0.1 ?? 0) })
        }
    }
}

/// The Console's view of one provider. `checked` false: never checked, nothing else is known.
struct ConsoleView: Sendable {
    var checked: Bool
    var online = false
    var lastOnline: Date?
    /// Window (`1d`, `7d`, `30d`) and ratio, `null` already read as 0.
    var uptime: [(String, Double)] = []
}

/// Every provider the last good answer was asked about, for as long as it is fresh (the same providers a poll
/// later, unless a lease closed).
struct ConsoleUptimeCollector: MetricsCollector {
    let lastGood: LastGood<[String: ConsoleView]>

    func collect(now: Date) -> [MetricFamily] {
        guard let views = lastGood.value(now: now) else { return [] }
        var online = MetricFamily.gauge("akash_provider_console_online",
            "1 when the Akash Console's latest check of the provider succeeded (isOnline), else 0; no series while the "
            + "Console never checked it.")
        var uptime = MetricFamily.gauge("akash_provider_uptime_ratio",
            "Share of the window the Akash Console saw the provider online (uptime1d/7d/30d; its null is 0). Its checks "
            + "thin out to daily after a month down, so a long-dead provider can show 1d uptime 1: read with "
            + "akash_provider_console_online.")
        var lastOnline = MetricFamily.gauge("akash_provider_last_online_timestamp_seconds",
            "When the Akash Console last saw the provider online (lastOnlineDate); no series if never.")
        for (provider, view) in views.sorted(by: { $0.key < $1.key }) where view.checked {
            online.add(view.online ? 1 : 0, ["provider": provider])
            for (window, ratio) in view.uptime { uptime.add(ratio, ["provider": provider, "window": window]) }
            lastOnline.add(view.lastOnline?.timeIntervalSince1970, ["provider": provider])
        }
        return [online, uptime, lastOnline]
    }
}
