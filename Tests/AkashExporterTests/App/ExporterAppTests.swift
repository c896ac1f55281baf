import Foundation
import Synchronization
import Testing
import TestSupport

/// What a user sees from the binary: flags, exit codes, the one-shot mode, serving and shutdown.
@Suite("The exporter binary", .serialized)
struct ExporterAppTests {
    @Test("--help lists every flag with its environment variable and exits 0")
    func help() throws {
        let result = try ExporterBinary.run(["--help"])
        #expect(result.status == 0)
        for flag in ["--web.listen-address", "--web.telemetry-path", "--log.level", "--log.format", "--state.file", "--[no-]once",
                     "--cmc.base-url", "--akash.console-url", "--akash.rest-url", "--akash.owner"] {
            #expect(result.stdout.contains(flag), "missing \(flag)")
        }
        #expect(result.stdout.contains("AKASH_EXPORTER_WEB_LISTEN_ADDRESS"))
        #expect(result.stdout.contains("CMC_API_KEY"))
    }

    @Test("--version prints version, revision, build date, Swift version and platform in prometheus/common's layout")
    func version() throws {
        let result = try ExporterBinary.run(["--version"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("akash-cost-exporter, version 0.") == true)
        #expect(lines.first?.contains("(branch: ") == true && lines.first?.contains(", revision: ") == true)
        for field in ["  build user:       ", "  build date:       ", "  swift version:    6.", "  platform:         linux/"] {
            #expect(lines.contains { $0.hasPrefix(field) }, "missing \(field)")
        }
    }

    @Test("a bad flag or value is one line naming it, and exit code 2", arguments: [
        (["--web.listen-address=9877x"], "\"9877x\" for --web.listen-address"),
        (["--web.listen-address=[::1:9877"], "--web.listen-address"),
        (["--web.telemetry-path=metrics"], "\"metrics\" for --web.telemetry-path"),
        (["--log.level=loud"], "\"loud\" for --log.level"),
        (["--log.format=xml"], "\"xml\" for --log.format"),
        (["--cmc.quotes-interval=soon"], "\"soon\" for --cmc.quotes-interval"),
        (["--akash.owner=akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"], "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"),
        (["--akash.rest-url=ftp://x"], "\"ftp://x\" for --akash.rest-url"),
        (["--web.basic-auth-file=/nonexistent/auth"],
         "invalid value \"/nonexistent/auth\" for --web.basic-auth-file: expected a file with one line username:password, but it cannot be read"),
        (["--no-such-flag"], "unknown flag --no-such-flag"),
        (["--web.listen-address"], "--web.listen-address needs a value"),
        (["--clock.start=2026-02-30T00:00:00Z"], "invalid value \"2026-02-30T00:00:00Z\" for --clock.start: expected a UTC instant such as 2026-02-28T23:30:00Z"),
    ])
    func badInput(arguments: [String], expected: String) throws {
        let result = try ExporterBinary.run(arguments + ["--state.file="])
        #expect(result.status == 2)
        #expect(result.stderr.contains(expected), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("flags fall back to AKASH_EXPORTER_* environment variables")
    func environmentFallback() throws {
        let result = try ExporterBinary.run(["--state.file="], environment: ["AKASH_EXPORTER_LOG_LEVEL": "loud"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\"loud\" for --log.level"))
    }

    /// The golden was recorded on 2026-11-30, when the unspent budget left in the month paid for CoinMarketCap's
    /// fastest useful pace: the clock is pinned there, so the credit plan (and the golden) is the same on every day.
    @Test("--once polls every source, prints the whole exposition (golden) and exits 0; the key stays in its header")
    func onceGolden() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("once-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        // The block time pinned: per-hour figures at 6 s whatever the recorded blocks measure.
        let result = try ExporterBinary.run(["--once", "--state.file=\(state)", "--clock.start=2026-11-30T06:00:00Z",
                                             "--akash.block-time=6s"]
                                            + AppFakes.upstreamFlags(fake),
                                            environment: ["CMC_API_KEY": AppFakes.apiKey])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let stable = AppFakes.deterministic(result.stdout)
        try Golden.compare(stable, "exporter-once.prom")
        // Values a user would check, straight from the recorded bodies.
        #expect(result.stdout.contains("akash_akt_signal_score 21\n"))
        #expect(result.stdout.contains("akash_market_price_usd{cmc_id=\"7431\",symbol=\"AKT\"} 0.87\n"))
        #expect(result.stdout.contains("akash_deployment_escrow_runway_seconds{owner=\"\(AppFakes.owner)\",dseq=\"27790001\"} 59400\n"))
        #expect(!result.stdout.contains("process_"))
        // The secret: only ever in the X-CMC_PRO_API_KEY header.
        let cmcRequests = fake.requests.filter { $0.path.hasPrefix("/cmc") }
        #expect(!cmcRequests.isEmpty)
        for request in fake.requests {
            #expect(!request.rawTarget.contains(AppFakes.apiKey))
            for (name, value) in request.headers where name != "x-cmc_pro_api_key" { #expect(!value.contains(AppFakes.apiKey)) }
        }
        #expect(cmcRequests.allSatisfy { $0.header("X-CMC_PRO_API_KEY") == AppFakes.apiKey })
        #expect(!result.stdout.contains(AppFakes.apiKey) && !result.stderr.contains(AppFakes.apiKey))
        #expect(!(try String(contentsOfFile: state, encoding: .utf8)).contains(AppFakes.apiKey))
    }

    /// On any day of the calendar, with the CoinMarketCap paces pinned by their flags, the whole exposition is the
    /// golden one: nothing else in it depends on the date. The month's first and last hour, 28/29/30/31-day months,
    /// a leap day and New Year's Eve, each through `--clock.start`.
    @Test("--once gives the same golden at every calendar edge when the paces are pinned", arguments: [
        "2026-02-01T00:30:00Z", "2026-02-28T23:30:00Z", "2028-02-29T12:00:00Z", "2028-02-29T23:30:00Z",
        "2026-04-30T23:30:00Z", "2026-05-01T00:00:00Z", "2026-12-31T23:59:30Z", "2027-01-01T00:00:00Z",
    ])
    func onceGoldenAtCalendarEdges(instant: String) throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let result = try ExporterBinary.run(["--once", "--state.file=", "--clock.start=\(instant)", "--akash.block-time=6s",
                                             "--cmc.quotes-interval=1m", "--cmc.macro-interval=15m", "--cmc.listings-interval=15m"]
                                            + AppFakes.upstreamFlags(fake),
                                            environment: ["CMC_API_KEY": AppFakes.apiKey])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        try Golden.compare(AppFakes.deterministic(result.stdout), "exporter-once.prom")
    }

    /// Unpinned, the paces are the credit plan's at the clock's date: a fresh 31-day month spreads 9,000 credits
    /// thinly. At start-up quotes every 419 s, macro hourly, listings every 2 h (CalendarEdgeTests has the arithmetic);
    /// the interval is recorded when each poll ends, so the quotes' one depends on whether the listings' 3 credits
    /// were spent yet: 1 of the run's 4 credits gives 1/(8,999/2,678,400 - 7/7,200) = 418.8 s, rounded up to 419;
    /// all 4 give 419.02 s, 420.
    @Test func onceFollowsTheCreditPlanOfItsClock() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let result = try ExporterBinary.run(["--once", "--state.file=", "--clock.start=2026-12-01T00:00:00Z"]
                                            + AppFakes.upstreamFlags(fake),
                                            environment: ["CMC_API_KEY": AppFakes.apiKey])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        for (source, seconds) in [("cmc_fear_greed", 3600), ("cmc_altcoin_season", 3600), ("cmc_listings", 7200)] {
            #expect(result.stdout.contains("akash_exporter_source_interval_seconds{source=\"\(source)\"} \(seconds)\n"), "\(source)")
        }
        #expect(["419", "420"].contains { result.stdout.contains("akash_exporter_source_interval_seconds{source=\"cmc_quotes\"} \($0)\n") })
        #expect(result.stderr.contains("quotes_interval=6m59s"), "stderr: \(result.stderr)")
    }

    @Test("--once exits 1 when a source fails, and still prints what the others gave")
    func onceWithFailure() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        fake.route("/chain/cosmos/base/tendermint/v1beta1/blocks/latest", .status(500))
        let result = try ExporterBinary.run(["--once", "--state.file="] + AppFakes.upstreamFlags(fake),
                                            environment: ["CMC_API_KEY": AppFakes.apiKey])
        #expect(result.status == 1)
        #expect(result.stdout.contains("akash_exporter_source_up{source=\"akash_block\"} 0\n"))
        #expect(result.stdout.contains("akash_exporter_source_failures_total{source=\"akash_block\",reason=\"http\"} 1\n"))
        #expect(result.stdout.contains("akash_gpu_bid_price_usd_per_hour{"))
        #expect(result.stderr.contains("source=akash_block reason=http"))
    }

    @Test("serves metrics, landing page, health and readiness; SIGTERM drains, saves state and exits 0")
    func serveAndShutdown() async throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        // A slow upstream keeps the exporter not ready for a moment.
        fake.route("/console/v1/gpu-prices", .delayed(seconds: 1.5, .fixture("akash/gpu-prices.json")))
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let server = try RunningExporter(["--web.listen-address=127.0.0.1:0", "--state.file=\(state)"] + AppFakes.upstreamFlags(fake),
                                         environment: ["CMC_API_KEY": AppFakes.apiKey])
        let port = try server.waitForPort()

        #expect(try TestClient.fetch(port: port, path: "/-/ready").status == 503)
        #expect(try TestClient.fetch(port: port, path: "/-/healthy").status == 200)
        var ready = false
        for _ in 0..<100 where !ready {
            ready = try TestClient.fetch(port: port, path: "/-/ready").status == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready)

        let metrics = try TestClient.fetch(port: port, path: "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.head.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
        #expect(metrics.body.contains("akash_gpu_bid_price_usd_per_hour{vendor=\"nvidia\",model=\"h100\""))
        #expect(metrics.body.contains("process_resident_memory_bytes "))
        let head = try TestClient.fetch(port: port, path: "/metrics", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.head.contains("Content-Length: "))

        let landing = try TestClient.fetch(port: port, path: "/")
        #expect(landing.status == 200)
        #expect(landing.body.contains("<a href=\"/metrics\">Metrics</a>"))
        #expect(landing.body.contains("<td>cmc_quotes</td><td>up</td>"))
        #expect(landing.body.contains("Version 0."))
        #expect(try TestClient.fetch(port: port, path: "/nope").status == 404)
        #expect(try TestClient.fetch(port: port, path: "/metrics", method: "POST").status == 405)
        for body in [metrics.body, landing.body] { #expect(!body.contains(AppFakes.apiKey)) }

        let status = try server.terminate()
        #expect(status == 0)
        #expect(server.stderr.contains("msg=\"shutting down\" signal=SIGTERM"))
        #expect(!server.stderr.contains(AppFakes.apiKey))
        let saved = try String(contentsOfFile: state, encoding: .utf8)
        #expect(saved.contains("\"cmc\""))
        #expect(!saved.contains(AppFakes.apiKey))
    }
}

extension ExporterAppTests {
    @Test("SIGTERM as soon as the port is announced still drains and exits 0 (signals are watched before start-up)")
    func earlySigterm() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        for _ in 0..<3 {
            let server = try RunningExporter(["--web.listen-address=127.0.0.1:0", "--state.file="] + AppFakes.upstreamFlags(fake),
                                             environment: ["CMC_API_KEY": AppFakes.apiKey])
            _ = try server.waitForPort()
            #expect(try server.terminate() == 0, "exporter stderr: \(server.stderr)")
            #expect(server.stderr.contains("msg=\"shutting down\" signal=SIGTERM"))
        }
    }

    @Test("hostile clients leave no file descriptor behind: process_open_fds returns to its baseline")
    func noLeakedDescriptors() async throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let server = try RunningExporter(["--web.listen-address=127.0.0.1:0", "--state.file="] + AppFakes.upstreamFlags(fake),
                                         environment: ["CMC_API_KEY": AppFakes.apiKey])
        let port = try server.waitForPort()
        func openFDs() throws -> Double? {
            let body = try TestClient.fetch(port: port, path: "/metrics").body
            return body.split(separator: "\n").first { $0.hasPrefix("process_open_fds ") }
                .flatMap { Double($0.split(separator: " ")[1]) }
        }
        // The body is re-rendered every few seconds; the baseline is a value seen twice in a row once ready.
        var baseline: Double?
        var previous: Double?
        for _ in 0..<40 where baseline == nil {
            let current = try openFDs()
            if current != nil, current == previous, try TestClient.fetch(port: port, path: "/-/ready").status == 200 { baseline = current }
            previous = current
            try await Task.sleep(for: .milliseconds(500))
        }
        let before = try #require(baseline)

        var clients: [TestClient] = []
        for index in 0..<300 {
            let client = try TestClient(port: port)
            // The server may cut a client before the whole request is sent: what was sent is enough.
            switch index % 4 {
            case 0: break                                                               // idle
            case 1: try? client.send("GET /metr")                                       // half a request line
            case 2: try? client.send("\u{16}\u{03}\u{01}garbage\r\n\r\n")          // not HTTP at all
            default: try? client.send("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 20_000) + "\r\n\r\n")  // 431
            }
            clients.append(client)
        }
        // The server may already have cut the garbage and 431 clients; the idle and half-request ones stay open.
        var during = before
        for _ in 0..<40 where during < before + 150 {
            try await Task.sleep(for: .milliseconds(500))
            during = try #require(try openFDs())
        }
        #expect(during >= before + 150, "the open clients show in process_open_fds (\(before) → \(during))")
        clients.removeAll()  // each closes its socket
        var after = during
        for _ in 0..<60 where after != before {
            try await Task.sleep(for: .milliseconds(500))
            after = try #require(try openFDs())
        }
        #expect(after == before, "open fds \(before) before, \(after) after (\(during) while 300 clients were connected)")
        #expect(try server.terminate() == 0, "exporter stderr: \(server.stderr)")
    }
}

/// The exporter as a child process serving HTTP; its standard error goes to a file, read back on demand.
final class RunningExporter: Sendable {
    private let child: ChildProcess
    private let errorFile: URL

    init(_ arguments: [String], environment: [String: String]) throws {
        errorFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("akash-exporter-stderr-\(UUID().uuidString).log")
        child = try ChildProcess(ExporterBinary.url.path, arguments, environment: environment,
                                 standardError: .file(errorFile.path))
    }

    deinit {
        try? FileManager.default.removeItem(at: errorFile)  // the child, if still running, is killed with `child`
    }

    var stderr: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// Bounds on waiting for the child: each wait ends at the event (the line, the exit), so the bound only has to
    /// be far beyond what a loaded 2-core machine needs (start-up takes about 0.1 s, a drain at most 5 s).
    static let patience = 120.0

    /// The bound port, from the start-up log line (`port=NNNNN`).
    func waitForPort() throws -> Int {
        let deadline = ContinuousClock.now + .seconds(Self.patience)
        while ContinuousClock.now < deadline {
            if let range = stderr.range(of: #"port=(\d+)"#, options: .regularExpression) {
                return Int(stderr[range].dropFirst(5))!
            }
            guard child.isRunning else { throw ChildExited(status: child.status, stderr: stderr) }
            usleep(20_000)
        }
        throw POSIXError(.ETIMEDOUT)
    }

    /// SIGTERM, then the exit status.
    func terminate() throws -> Int32 {
        child.send(SIGTERM)
        let deadline = ContinuousClock.now + .seconds(Self.patience)
        while child.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        guard let status = child.status else { throw POSIXError(.ETIMEDOUT) }
        return status
    }

    struct ChildExited: Error, CustomStringConvertible {
        let status: Int32?
        let stderr: String
        var description: String { "the exporter exited (\(status.map(String.init) ?? "?")) before announcing its port: \(stderr)" }
    }
}
