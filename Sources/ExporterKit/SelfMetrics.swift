import FoundationEssentials
import Exposition

/// The exporter's own health: build info and, per source, whether the last poll worked, when one last did, how
/// long it took, how often it is polled, and the requests and failures so far. Names as in METRICS.md.
public struct SelfMetricsCollector: MetricsCollector {
    private let health: HealthRegistry
    private let version: String
    private let swiftVersion: String

    public init(health: HealthRegistry, version: String, swiftVersion: String) {
        self.health = health
        self.version = version
        self.swiftVersion = swiftVersion
    }

    public func collect(now: Date) -> [MetricFamily] {
        let buildInfo = MetricFamily.info("akash_exporter_build_info",
                                          "Version of akash-cost-exporter and of the Swift compiler that built it; always 1.",
                                          labels: ["version": version, "swift_version": swiftVersion])
        var up = MetricFamily.gauge("akash_exporter_source_up",
                                    "1 when the last poll of the source succeeded, 0 when it failed.")
        var lastSuccess = MetricFamily.gauge("akash_exporter_source_last_success_timestamp_seconds",
                                             "Unix time of the source's last successful poll.")
        var duration = MetricFamily.gauge("akash_exporter_source_duration_seconds",
                                          "How long the source's last poll took, in seconds.")
        var interval = MetricFamily.gauge("akash_exporter_source_interval_seconds",
                                          "Seconds between the source's successful polls, as currently scheduled.")
        var requests = MetricFamily.counter("akash_exporter_source_requests_total",
                                            "Requests made to the source's upstream API.")
        var responseBytes = MetricFamily.counter("akash_exporter_source_response_bytes_total",
                                                 "Body bytes received from the source's upstream API, as sent on the wire (compressed size when compressed).")
        var failures = MetricFamily.counter("akash_exporter_source_failures_total",
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
            for reason in FailureReason.allCases {
                failures.add(Double(source.failures[reason] ?? 0), ["source": name, "reason": reason.rawValue])
            }
        }
        return [buildInfo, up, lastSuccess, duration, interval, requests, responseBytes, failures]
    }
}
