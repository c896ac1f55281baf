import ExporterKit
import Exposition
import FoundationEssentials
import HTTPServer

/// The exporter's HTTP endpoints. `/metrics` sends the bytes the publisher rendered after the last change:
/// no upstream call, no rendering and no compression happen on a scrape (the gzip body is made once per render).
public struct ExporterRoutes: HTTPHandler {
    let telemetryPath: String
    let publisher: ExpositionPublisher
    let health: HealthRegistry
    let landingPage: LandingPage
    /// The exporter's clock, for the landing page's "last success" ages.
    let now: @Sendable () -> Date

    static let metricsHeaders: [(name: String, value: String)] = [("Content-Type", TextFormat.contentType),
                                                                  ("Vary", "Accept-Encoding")]
    static let gzipMetricsHeaders: [(name: String, value: String)] = metricsHeaders + [("Content-Encoding", "gzip")]
    static let textHeaders: [(name: String, value: String)] = [("Content-Type", "text/plain; charset=utf-8")]

    public init(telemetryPath: String, publisher: ExpositionPublisher, health: HealthRegistry, landingPage: LandingPage,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.telemetryPath = telemetryPath
        self.now = now
        self.publisher = publisher
        self.health = health
        self.landingPage = landingPage
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch request.path {
        case telemetryPath:
            let snapshot = publisher.snapshot
            if request.accepts(encoding: "gzip"), let gzipBody = snapshot.gzipBody {
                return HTTPResponse(status: 200, headers: Self.gzipMetricsHeaders, body: gzipBody)
            }
            return HTTPResponse(status: 200, headers: Self.metricsHeaders, body: snapshot.body)
        case "/":
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8",
                                body: landingPage.render(health: health.snapshot, now: now()))
        case "/-/healthy":
            return HTTPResponse(status: 200, headers: Self.textHeaders, body: Array("Healthy\n".utf8))
        case "/-/ready":
            let pending = health.snapshot.filter { !$0.hasBeenPolled }.map(\.name)
            if pending.isEmpty {
                return HTTPResponse(status: 200, headers: Self.textHeaders, body: Array("Ready\n".utf8))
            }
            return HTTPResponse(status: 503, headers: Self.textHeaders,
                                body: Array("Not ready: waiting for the first poll of \(pending.joined(separator: ", "))\n".utf8))
        default:
            return HTTPResponse(status: 404, headers: Self.textHeaders, body: Array("Not found\n".utf8))
        }
    }
}
