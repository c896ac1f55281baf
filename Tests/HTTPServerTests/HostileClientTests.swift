#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import Synchronization
import Testing
@testable import HTTPServer

/// Clients that misbehave on purpose (issue 7): none of them may stall the others, crash the server or leak
/// a descriptor. Descriptor leaks are counted through /proc as the server-side sockets on the test server's
/// port: exact, and blind to what other tests in this process open meanwhile.
@Suite("Hostile clients")
struct HostileClientTests {
    /// A cached body shared by every response, as the exporter serves its exposition.
    struct SharedBody: HTTPHandler {
        static let body: [UInt8] = Array((0..<6000).map { "metric_\($0) \($0)\n" }.joined().utf8)
        func handle(_ request: HTTPRequest) -> HTTPResponse {
            HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: Self.body)
        }
    }

    private static func raiseDescriptorLimit(to wanted: UInt) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    @Test func aThousandIdleConnectionsDoNotDelayAScrape() throws {
        Self.raiseDescriptorLimit(to: 4096)
        let server = try startServer(handler: SharedBody()) {
            $0.maxConnections = 1100
            $0.readTimeout = 60
            // The scraper's kept-alive connection must outlive the count below however slow a loaded machine is.
            $0.idleTimeout = 600
        }
        defer { server.shutdown() }
        var idle: [TestClient] = []
        for _ in 0..<1000 { idle.append(try TestClient(port: server.port)) }
        #expect(eventually(within: 60) { openSocketDescriptors(localPort: server.port) == 1001 })  // all accepted

        // Idle connections hold no event loop: the scrape is answered long before any of their 60 s read timeouts
        // (a read taking over 10 s fails, which a loaded machine still meets by far).
        let scraper = try TestClient(port: server.port, timeout: 10)
        let response = try scraper.get("/metrics")
        #expect(response.status == 200)
        #expect(response.body == SharedBody.body)

        idle.removeAll()  // the clients close
        #expect(eventually(within: 60) { openSocketDescriptors(localPort: server.port) == 2 })  // listener + scraper
    }

    @Test func aSlowlorisTricklingOneByteASecondIsCutOffWhileOthersAreServed() throws {
        let server = try startServer(handler: SharedBody()) { $0.readTimeout = 1.5 }
        defer { server.shutdown() }
        let slowloris = try TestClient(port: server.port, timeout: 30)
        let outcome = Mutex<TrickleOutcome?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let result = trickle("GET /metrics HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\r\n", to: slowloris, every: 1)
            outcome.withLock { $0 = result }
            done.signal()
        }.start()

        // Served while the slowloris still trickles (its head takes 40 s at one byte a second).
        let other = try TestClient(port: server.port, timeout: 10)
        #expect(try other.get("/metrics").body == SharedBody.body)
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(outcome.withLock { $0 } == .cutOff)
        #expect(!String(decoding: slowloris.unread, as: UTF8.self).contains("200 OK"))
    }

    @Test func aMegabyteOfHeadersGets431AndTheServerCarriesOn() throws {
        let server = try startServer(handler: SharedBody())
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        let line = "X-Filler: " + String(repeating: "z", count: 1000) + "\r\n"
        let head = "GET /metrics HTTP/1.1\r\n" + String(repeating: line, count: 1024) + "\r\n"
        #expect(head.utf8.count > 1_000_000)
        try? client.send(head)  // the server may close before taking it all
        let response = try client.readResponse()
        #expect(response.status == 431)
        #expect(client.waitForClose())
        #expect(try TestClient(port: server.port).get("/metrics").body == SharedBody.body)
    }

    @Test func twoHundredConcurrentScrapesGetCompleteIdenticalBodies() throws {
        let server = try startServer(handler: SharedBody())
        defer { server.shutdown() }
        let bodies = Mutex<[[UInt8]]>([])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for _ in 0..<200 {
            group.enter()
            Thread {
                defer { group.leave() }
                start.wait()
                do {
                    let client = try TestClient(port: server.port)
                    let response = try client.get("/metrics")
                    bodies.withLock { $0.append(response.body) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        for _ in 0..<200 { start.signal() }
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(failures.withLock { $0 } == [])
        let received = bodies.withLock { $0 }
        #expect(received.count == 200)
        #expect(received.allSatisfy { $0 == SharedBody.body })
        #expect(eventually(within: 60) { openSocketDescriptors(localPort: server.port) == 1 })  // only the listener
    }

    @Test func noDescriptorIsLeftAfterHostileTrafficAndShutdown() throws {
        let server = try startServer(handler: SharedBody()) { $0.readTimeout = 0.3 }
        let port = server.port
        for request in ["GET / HTTP/1.1\r\n\r\n", "BREW / HTCPCP/1.0\r\n\r\n", "GET / HTTP/1.1\r\nX: \u{1}\r\n\r\n", "GET /"] {
            let client = try TestClient(port: port)
            try? client.send(request)
            _ = client.waitForClose() || true
        }
        let abandoned = try TestClient(port: port)
        try abandoned.send("GET / HTTP/1.1\r\n")  // never finished: the read timeout closes it
        #expect(eventually(within: 60) { openSocketDescriptors(localPort: port) == 1 })
        server.shutdown()
        #expect(openSocketDescriptors(localPort: port) == 0)
    }
}
