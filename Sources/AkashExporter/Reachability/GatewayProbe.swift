import ExporterKit
import Exposition
import FoundationEssentials
import Synchronization

/// Source `akash_provider_probe`: for each provider the view watches, its gateway's `host_uri` from
/// `GET /akash/provider/v1beta4/providers/{owner}` (read again hourly, and at once for a provider not seen before),
/// checked by `GatewayGuard`, then `GET {host_uri}/status` on the checked address, at most `maxConcurrent` at once.
///
/// The source is down when a `host_uri` could not be read from the chain (that provider then has no probe series).
/// A gateway that fails is data (`akash_provider_probe_success` 0), never a failure of the source.
struct GatewayProbe: PolledSource {
    static let providerPath = "/akash/provider/v1beta4/providers/"

    static let declaration = Source(
        name: "akash_provider_probe", api: .chainREST, endpoints: [.init(providerPath)],
        summary: "chain REST `GET /akash/provider/v1beta4/providers/{owner}` (hourly per provider), then "
            + "`GET {host_uri}/status` on each provider's gateway", schedule: "1 min",
        intervalFlag: ReachabilityConfig.intervalFlag.spec, timeoutFlag: ReachabilityConfig.timeoutFlag.spec
    ) { setup in
        guard let config = setup[ReachabilityArea.self], config.probeEnabled, let chain = setup[ChainArea.self],
              let providers = ProbedProviders.source(setup) else {
            return nil
        }
        let probe = GatewayProbe(config: config, chain: ChainREST(baseURL: chain.restURL, timeout: chain.timeout),
                                 providers: providers, leases: setup.shared.paidLeases, logger: setup.shared.logger)
        return MadeSource(probe, collectors: [GatewayProbeCollector(probe: probe)])
    }

    /// Providers are many, gateways slow to fail: a bounded number in flight keeps a round within a few timeouts.
    static let maxConcurrent = 8
    /// A `/status` answer is a few KiB; a larger one is not what the probe asked for.
    static let maxBodyBytes = 1 << 20
    /// How long a `host_uri` read from the chain is used before it is read again.
    static let hostMaxAge: Double = 3600

    let config: ReachabilityConfig
    let chain: ChainREST
    let providers: @Sendable (Date) -> [String]
    let leases: PaidLeases
    let logger: Logger
    var resolve: GatewayGuard.Resolve = GatewayGuard.systemResolver
    let book = ProbeBook()

    var name: String { "akash_provider_probe" }
    var interval: Double { config.probeInterval }

    func poll(_ context: PollContext) async throws(SourceFailure) {
        await leases.firstPoll()
        let providers = providers(context.now)
        let failures = await withTaskGroup(of: SourceFailure?.self) { group in
            var failures: [SourceFailure] = []
            for (index, provider) in providers.enumerated() {
                if index >= Self.maxConcurrent, let finished = await group.next(), let failure = finished {
                    failures.append(failure)
                }
                group.addTask { await probe(provider, context) }
            }
            for await case let failure? in group { failures.append(failure) }
            return failures
        }
        if let first = failures.first { throw first }
    }

    /// One provider: its `host_uri` (from the book, or the chain), the guard, then the probe. The failure of the
    /// chain lookup, or nil.
    private func probe(_ provider: String, _ context: PollContext) async -> SourceFailure? {
        let hostURI: String
        if let known = book.hostURI(of: provider, now: context.now, maxAge: Self.hostMaxAge) {
            hostURI = known
        } else {
            do throws(SourceFailure) {
                let what = "provider \(provider)"
                let answer = try await context.fetchJSON(ProviderAnswer.self, chain.request(Self.providerPath + provider), what: what)
                guard answer.provider.owner == provider else {
                    throw SourceFailure(.decode, "\(UpstreamAPI.chainREST.describe(Self.providerPath)): answered for another provider")
                }
                hostURI = answer.provider.hostURI
                book.setHostURI(hostURI, of: provider, at: context.now)
            } catch {
                return error
            }
        }
        switch await GatewayGuard.check(hostURI, allowPrivate: config.allowPrivate, resolve: resolve) {
        case .failure(let refusal):
            if book.refuse(provider, refusal.description, at: context.now) {
                logger.warn("provider gateway not probed", ["provider": provider, "reason": refusal.description])
            }
        case .success(let checked):
            book.record(provider, await probe(checked, context), at: context.now)
        }
        return nil
    }

    /// `GET /status` at the checked address: no header of ours beyond what libcurl sends (no credentials, no
    /// cookie, no client certificate), no redirect followed.
    private func probe(_ checked: GatewayGuard.Checked, _ context: PollContext) async -> ProbeOutcome {
        var request = UpstreamRequest(url: checked.statusURL, timeout: config.probeTimeout, maxBodyBytes: Self.maxBodyBytes)
        request.pinned = UpstreamRequest.PinnedAddress(address: checked.address.description, verifiesCertificate: false)
        let started = ContinuousClock.now
        var outcome = ProbeOutcome(success: false, seconds: 0, leases: nil)
        do throws(SourceFailure) {
            let response = try await context.fetch(request)
            if response.status == 200, let status = try? JSONDecoder().decode(StatusAnswer.self, from: response.body) {
                outcome.success = true
                outcome.leases = status.cluster.leases.map(Int.init)
            }
        } catch {}
        let elapsed = ContinuousClock.now - started
        outcome.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return outcome
    }

    /// `GET /akash/provider/v1beta4/providers/{owner}`: the parts the probe reads.
    struct ProviderAnswer: Decodable, Sendable {
        struct Provider: Decodable, Sendable {
            let owner: String
            let hostURI: String

            enum CodingKeys: String, CodingKey {
                case owner, hostURI = "host_uri"
            }
        }

        let provider: Provider
    }

    /// A gateway's `/status`: a JSON object with a `cluster` object is a provider answering; `cluster.leases` its
    /// count of leases, when it is a count.
    struct StatusAnswer: Decodable {
        struct Cluster: Decodable {
            let leases: UInt32?

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                leases = try? container.decodeIfPresent(UInt32.self, forKey: .leases)
            }

            enum CodingKeys: String, CodingKey { case leases }
        }

        let cluster: Cluster
    }
}

/// One probe's result.
struct ProbeOutcome: Sendable, Equatable {
    var success: Bool
    /// Wall time of the attempt, connect to last byte or failure.
    var seconds: Double
    /// `cluster.leases` of a successful answer.
    var leases: Int?
}

/// What the probe knows per provider: its `host_uri` and when it was read, and its latest probe or refusal.
final class ProbeBook: Sendable {
    struct Entry: Sendable {
        var hostURI: String?
        var hostReadAt: Date?
        /// The latest attempt: a probe, or a refusal (its reason).
        var outcome: ProbeOutcome?
        var refusal: String?
        var attemptAt: Date?
        var lastSuccess: Date?
    }

    private let entries = Mutex<[String: Entry]>([:])

    func hostURI(of provider: String, now: Date, maxAge: Double) -> String? {
        entries.withLock { entries in
            guard let entry = entries[provider], let uri = entry.hostURI, let at = entry.hostReadAt,
                  now.timeIntervalSince(at) < maxAge, now >= at else { return nil }
            return uri
        }
    }

    func setHostURI(_ uri: String, of provider: String, at now: Date) {
        entries.withLock {
            $0[provider, default: Entry()].hostURI = uri
            $0[provider, default: Entry()].hostReadAt = now
        }
    }

    /// Records a refusal; true when it is new or its reason changed (worth a log line).
    func refuse(_ provider: String, _ reason: String, at now: Date) -> Bool {
        entries.withLock { entries in
            var entry = entries[provider, default: Entry()]
            let changed = entry.refusal != reason
            entry.refusal = reason
            entry.outcome = nil
            entry.attemptAt = now
            entries[provider] = entry
            return changed
        }
    }

    func record(_ provider: String, _ outcome: ProbeOutcome, at now: Date) {
        entries.withLock { entries in
            var entry = entries[provider, default: Entry()]
            entry.refusal = nil
            entry.outcome = outcome
            entry.attemptAt = now
            if outcome.success { entry.lastSuccess = now }
            entries[provider] = entry
        }
    }

    /// The entries whose latest attempt is at most `maxAge` old.
    func fresh(now: Date, maxAge: Double) -> [String: Entry] {
        entries.withLock { entries in
            entries.filter { _, entry in entry.attemptAt.map { now.timeIntervalSince($0) <= maxAge } ?? false }
        }
    }
}

/// The probe's series, for the providers watched now (a provider whose lease closed drops out at the next render),
/// and the reachability of each paid lease's provider.
struct GatewayProbeCollector: MetricsCollector {
    let probe: GatewayProbe

    func collect(now: Date) -> [MetricFamily] {
        let book = probe.book.fresh(now: now, maxAge: LastGood<Int>.intervalsServed * probe.interval)
        var success = MetricFamily.gauge("akash_provider_probe_success",
            "1 when the provider gateway's GET {host_uri}/status answered 200 with a JSON object holding cluster, else 0 "
            + "(connection refused, timeout, TLS failure, other status, redirect, wrong or oversized body).")
        var duration = MetricFamily.gauge("akash_provider_probe_duration_seconds",
            "Seconds the latest /status probe of the provider gateway took, to its answer or failure.")
        var lastSuccess = MetricFamily.gauge("akash_provider_probe_last_success_timestamp_seconds",
            "When the provider gateway last answered its /status probe correctly, since the exporter started.")
        var refused = MetricFamily.gauge("akash_provider_probe_refused",
            "1 when the provider's host_uri was not contacted: refused by the address guard (loopback, private, CGNAT, "
            + "link-local, multicast, unspecified) or unusable (not https, malformed, unresolvable); no series otherwise.")
        var leases = MetricFamily.gauge("akash_provider_status_leases",
            "Leases the provider gateway reports running (cluster.leases of its /status).")
        var leaseUp = MetricFamily.gauge("akash_lease_provider_up",
            "The latest /status probe of the provider of a watched owner's paid lease: 1 answered, 0 failed. No series "
            + "while the provider is not probed (refused, host_uri unknown, probe off).")
        for provider in probe.providers(now) {
            guard let entry = book[provider] else { continue }
            let labels: KeyValuePairs<String, String> = ["provider": provider]
            if entry.refusal != nil {
                refused.add(1, labels)
                continue
            }
            guard let outcome = entry.outcome else { continue }
            success.add(outcome.success ? 1 : 0, labels)
            duration.add(outcome.seconds, labels)
            lastSuccess.add(entry.lastSuccess?.timeIntervalSince1970, labels)
            if outcome.success { leases.add(outcome.leases.map(Double.init), labels) }
        }
        for lease in probe.leases.leases(at: now) {
            guard let outcome = book[lease.provider]?.outcome, book[lease.provider]?.refusal == nil else { continue }
            leaseUp.add(outcome.success ? 1 : 0, ["owner": lease.owner, "dseq": lease.dseq, "gseq": String(lease.gseq),
                                                  "oseq": String(lease.oseq), "provider": lease.provider])
        }
        return [success, duration, lastSuccess, refused, leases, leaseUp]
    }
}
