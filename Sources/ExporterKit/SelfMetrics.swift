import FoundationEssentials
import Exposition

/// The exporter's own health: build info and, per source, whether the last poll worked, when one last did, how
/// long it took, how often it is polled, and the requests and failures so far. Names as in METRICS.md.
public struct SelfMetricsCollector: MetricsCollector {
    /// The application's identity in its own metrics: `akash_exporter` names `akash_exporter_source_up`.
    public struct Identity: Sendable {
        public var namespace: String
        public var program: String
        public var version: String
        public var swiftVersion: String

        public init(namespace: String, program: String, version: String, swiftVersion: String) {
            self.namespace = namespace
            self.program = program
            self.version = version
            self.swiftVersion = swiftVersion
        }
    }

    private let health: HealthRegistry
    private let identity: Identity
    /// Every reason a failure can be counted under, each exported from the start.
    private let reasons: [FailureReason]

    public init(health: HealthRegistry, identity: Identity, reasons: [FailureReason]) {
        self.health = health
        self.identity = identity
        self.reasons = reasons
    }

    public func collect(now: Date) -> [MetricFamily] {
        let namespace = identity.namespace
        let buildInfo = MetricFamily.info("\(namespace)_build_info",
                                          "Version of \(identity.program) and of the Swift compiler that built it; always 1.",
                                          labels: ["version": identity.version, "swift_version": identity.swiftVersion])
        var up = MetricFamily.gauge("\(namespace)_source_up",
                                    "1 when the last poll of the source succeeded, 0 when it failed.")
        var lastSuccess = MetricFamily.gauge("\(namespace)_source_last_success_timestamp_seconds",
                                             "Unix time of the source's last successful poll.")
        var duration = MetricFamily.gauge("\(namespace)_source_duration_seconds",
                                          "How long the source's last poll took, in seconds.")
        var interval = MetricFamily.gauge("\(namespace)_source_interval_seconds",
                                          "Seconds between the source's successful polls, as currently scheduled.")
        var requests = MetricFamily.counter("\(namespace)_source_requests_total",
                                            "Requests made to the source's upstream API.")
        var responseBytes = MetricFamily.counter("\(namespace)_source_response_bytes_total",
                                                 "Body bytes received from the source's upstream API, as sent on the wire (compressed size when compressed).")
        var failures = MetricFamily.counter("\(namespace)_source_failures_total",
                                            "Failed polls of the source, by reason.")
        for source in health.snapshot {
            let name = source.name
            // Before the first poll, up is unknown rather than 0: the source has not failed.
            up.add(source.up.map { $0 ? 1 : 0 }, ["source": name])
            lastSuccess.add(source.lastSuccess?.timeIntervalSince1970, ["source": name])
            duration.add(source.lastDuration, ["source": name])
            interval.add(source.interval, ["source": name])
            requests.add(Double(source.requests), ["source": name])
            responseBytes.add(Double(source.responseBytes), ["source": name])
            // Every reason from the start, at 0 until it happens, so rate() and increase() see the first one.
            for reason in reasons {
                failures.add(Double(source.failures[reason] ?? 0), ["source": name, "reason": reason.rawValue])
            }
        }
        return [buildInfo, up, lastSuccess, duration, interval, requests, responseBytes, failures]
    }
}
