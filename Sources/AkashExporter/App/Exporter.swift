#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import ExporterKit
import Exposition
import FoundationEssentials
import HTTPServer
import Synchronization

/// Wires the areas to the runtime: sources to the runner, collectors to the publisher, the publisher to the
/// HTTP routes. It owns the lifecycle: start, serve, drain on SIGTERM/SIGINT, save state, exit.
public final class Exporter: Sendable {
    public let config: ExporterConfig
    let logger: Logger
    let state: StateStore
    let health: HealthRegistry
    /// What the runner polls: every enabled source.
    let sources: [any PolledSource]
    let runner: SourceRunner
    let publisher: ExpositionPublisher
    /// Every date the exporter uses: the runner's, so that polls, renders and the landing page agree.
    let now: @Sendable () -> Date
    /// What the HTTP server refused (credentials), for `akash_exporter_http_auth_rejected_total`.
    let serverStatistics = HTTPServerStatistics()

    /// How the exporter names itself in its own metrics: `akash_exporter_source_up`, `akash_exporter_build_info`.
    static let identity = SelfMetricsCollector.Identity(namespace: "akash_exporter", program: BuildInfo.program,
                                                        version: BuildInfo.version, swiftVersion: BuildInfo.swiftVersion)
    /// Every reason a poll can fail for, each counted from the start: any upstream's, CoinMarketCap's own, and the
    /// chain node's "this API is not served here".
    static let failureReasons = FailureReason.generic + [.creditsExhausted, .unsupported]

    /// - Parameters:
    ///   - timing: the runner's clock; tests pass a virtual one to follow schedules over simulated hours. By default
    ///     real waits on the configured clock (`--clock.start`, or the system's).
    ///   - only: poll just these sources (a test following one source's schedule); nil polls every enabled one.
    public init(config: ExporterConfig, logger: Logger,
                upstream: any UpstreamFetching = CurlUpstream(userAgent: "\(BuildInfo.program)/\(BuildInfo.version)"),
                timing: SourceRunner.Timing? = nil, only: Set<String>? = nil) {
        let timing = timing ?? .system(clock: config.core.clock)
        self.config = config
        self.logger = logger
        now = timing.now
        state = StateStore(path: config.core.stateFile, logger: logger)
        state.load()
        let shared = SharedDependencies(state: state, logger: logger, clock: timing.now,
                                        blockTime: BlockTime(config.areas[ChainArea.self]?.blockTimeSetting ?? ChainConfig.blockTimeFlag.defaultValue))
        let made = SourceRegistry.make(SourceSetup(config, shared: shared))
        let sources = made.sources.filter { only?.contains($0.name) ?? true }
        self.sources = sources
        health = HealthRegistry(sources: sources.map(\.name))
        var collectors = made.collectors
        collectors.append(SelfMetricsCollector(health: health, identity: Self.identity, reasons: Self.failureReasons))
        if !config.core.once {
            // A one-shot run's process figures describe nothing worth keeping.
            collectors.append(ProcessMetricsCollector())
            if config.core.webConfig != nil || config.core.basicAuth != nil {
                collectors.append(HTTPAuthMetricsCollector(namespace: Self.identity.namespace,
                                                           reasons: HTTPServerStatistics.AuthRejection.allCases.map(\.rawValue)) {
                    [serverStatistics] reason in serverStatistics.authRejections(HTTPServerStatistics.AuthRejection(rawValue: reason)!)
                })
            }
        }
        let publisher = ExpositionPublisher(collectors: collectors, logger: logger)
        self.publisher = publisher
        runner = SourceRunner(sources: sources, upstream: upstream, health: health, state: state, logger: logger,
                              timing: timing, startSpread: config.core.startSpread, onChange: { publisher.refreshAfterChange(now: timing.now()) })
    }

    /// `--once`: every enabled source polled once; the exposition and whether every poll succeeded.
    public func runOnce() async -> (exposition: [UInt8], allSucceeded: Bool) {
        let allSucceeded = await runner.runOnce()
        state.saveIfChanged()
        _ = publisher.refresh(now: now())
        return (publisher.current, allSucceeded)
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, finishes what is in flight, saves state.
    /// The listening socket is bound before any poll starts, so a taken port fails with nothing half-started.
    public func run() async throws -> Int32 {
        let routes = ExporterRoutes(
            telemetryPath: config.core.telemetryPath, publisher: publisher, health: health,
            landingPage: LandingPage(telemetryPath: config.core.telemetryPath, description: ExporterConfig.summary), now: now)
        var serverConfig = HTTPServerConfiguration(listenAddress: config.core.listenAddress)
        serverConfig.maxConnections = config.core.maxConnections
        serverConfig.basicAuth = config.core.basicAuth
        serverConfig.webConfig = config.core.webConfig
        serverConfig.statistics = serverStatistics
        if config.core.basicAuth != nil {
            logger.warn("--web.basic-auth-file is deprecated: use --web.config.file with basic_auth_users (bcrypt hashes), as other Prometheus exporters do")
        }
        config.core.webConfig?.setEventHandler { [logger] event in
            switch event {
            case .reloaded(let path): logger.info("web config reloaded", ["file": path])
            case .rejected(let path, let error):
                logger.error("web config not reloaded, keeping the last good one", ["file": path, "err": error.description])
            }
        }
        serverConfig.unauthenticatedPaths = ["/-/healthy", "/-/ready"]
        let server = HTTPServer(configuration: serverConfig, handler: routes)
        // Before the start-up line: a SIGTERM sent as soon as the port is announced drains like any other.
        let termination = try TerminationSignals()
        try server.start()
        logger.info("starting \(BuildInfo.program)", ["version": BuildInfo.version, "address": config.core.listenAddress.description,
                                                     "tls": "\(config.core.webConfig?.servesTLS ?? false)",
                                                     "port": "\(server.port)", "telemetry_path": config.core.telemetryPath,
                                                     "sources": health.snapshot.map(\.name).joined(separator: ",")])
        if let problem = server.refusedConnectionPriorityProblem {
            logger.warn("connections refused for their credentials are served at the normal priority", ["err": problem])
        }
        _ = publisher.refresh(now: now())
        publisher.startPeriodicRefresh(now: now)
        runner.start()

        let signal = await termination.first()
        logger.info("shutting down", ["signal": signal])
        server.shutdown(drainTimeout: 5)
        await runner.stop()
        publisher.stopPeriodicRefresh()
        state.saveIfChanged()
        logger.info("stopped")
        return 0
    }
}
