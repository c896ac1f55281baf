import FoundationEssentials
import Exposition

/// Requests the exporter's HTTP server refused for their credentials, by reason:
/// `<namespace>_http_auth_rejected_total{reason}`. The counts come through `count`, so this module needs nothing
/// of the server; every reason is exported from the start, at 0 until it happens, so rate() sees the first one.
public struct HTTPAuthMetricsCollector: MetricsCollector {
    private let namespace: String
    private let reasons: [String]
    private let count: @Sendable (_ reason: String) -> Int

    public init(namespace: String, reasons: [String], count: @escaping @Sendable (_ reason: String) -> Int) {
        self.namespace = namespace
        self.reasons = reasons
        self.count = count
    }

    public func collect(now: Date) -> [MetricFamily] {
        var rejected = MetricFamily.counter("\(namespace)_http_auth_rejected_total",
                                            "Requests refused for their credentials, by reason: wrong_credentials (401: missing, unknown or wrong) or overload (429: too many new credentials waiting for bcrypt).")
        for reason in reasons {
            rejected.add(Double(count(reason)), ["reason": reason])
        }
        return [rejected]
    }
}
