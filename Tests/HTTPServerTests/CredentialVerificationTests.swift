#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTPServer

/// A password check that holds every caller until the test opens it, so a test can look at the server while a
/// check is running, without guessing how long bcrypt takes.
final class GatedCheck: Sendable {
    private let entered = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)
    private let calls = Atomic<Int>(0)
    private let checked = Mutex<[String]>([])

    var count: Int { calls.load(ordering: .relaxed) }
    /// The passwords checked, in the order the checks started.
    var passwords: [String] { checked.withLock { $0 } }

    var check: @Sendable (String, String) -> Bool {
        { [self] password, hash in
            calls.add(1, ordering: .relaxed)
            checked.withLock { $0.append(password) }
            entered.signal()
            gate.wait()
            gate.signal()  // once open, open for everyone
            return BcryptHash.verify(password: password, hash: hash)
        }
    }

    /// Waits until a check has started (generous: a loaded machine is slow, not this slow).
    func waitForEntry() -> Bool { entered.wait(timeout: .now() + 60) == .success }

    func open() { gate.signal() }
}

/// bcrypt off the event loops: a request with unseen credentials waits for a worker while the loop serves others;
/// beyond the pending bound a new credential gets 429 at once.
@Suite("Credentials checked off the event loop", .serialized)
struct CredentialVerificationTests {
    private static let alice = "Authorization: Basic " + Array("alice:secret".utf8).base64 + "\r\n"
    private static let aliceWrong = "Authorization: Basic " + Array("alice:wrong".utf8).base64 + "\r\n"

    private func startGatedServer(_ gate: GatedCheck, maxPending: Int, priorityWorkers: Int) throws -> (HTTPServer, () -> Void) {
        let directory = NSTemporaryDirectory() + "verification-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "basic_auth_users:\n  alice: \(TestHashes.alice2y)\n".write(toFile: directory + "/web.yml", atomically: false, encoding: .utf8)
        let webConfig = try WebConfigFile(path: directory + "/web.yml")
        let server = try startServer {
            $0.webConfig = webConfig
            $0.unauthenticatedPaths = ["/-/healthy", "/-/ready"]
            // One loop: a request answered while a check is held shows that the loop is not the one holding it.
            $0.loopCount = 1
            $0.verificationWorkers = 1
            $0.priorityVerificationWorkers = priorityWorkers
            $0.maxPendingVerifications = maxPending
            // Timeouts far beyond anything the test waits for: only the events it waits for end a connection.
            $0.readTimeout = 600
            $0.idleTimeout = 600
            $0.writeTimeout = 600
            $0.passwordMatches = gate.check
        }
        return (server, { try? FileManager.default.removeItem(atPath: directory) })
    }

    /// Runs `body` against a server (one loop, one worker, `priorityWorkers` more) whose password checks wait for
    /// the gate; the gate is opened and the server stopped whatever `body` does.
    private func withGatedServer(maxPending: Int, priorityWorkers: Int = 0,
                                 _ body: (GatedCheck, HTTPServer) throws -> Void) throws {
        let gate = GatedCheck()
        let (server, cleanUp) = try startGatedServer(gate, maxPending: maxPending, priorityWorkers: priorityWorkers)
        defer {
            gate.open()
            server.shutdown()
            cleanUp()
        }
        try body(gate, server)
    }

    private static func basic(_ credentials: String) -> String {
        "Authorization: Basic " + Array(credentials.utf8).base64 + "\r\n"
    }

    private static func request(_ credentials: String) -> String {
        "GET /metrics HTTP/1.1\r\nHost: test\r\n\(basic(credentials))\r\n"
    }

    @Test("while a check runs the loop serves others; the same credential joins it; a new one beyond the bound gets 429")
    func overloadAnswer() throws {
        try withGatedServer(maxPending: 1) { gate, server in
            let verifier = try #require(server.verifier)
            let first = try TestClient(port: server.port, timeout: 60)
            try first.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\(Self.alice)\r\n")
            #expect(gate.waitForEntry())

            // The same credential from another connection waits for the same check.
            let second = try TestClient(port: server.port, timeout: 60)
            try second.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\(Self.alice)\r\n")
            #expect(eventually(within: 60) { verifier.pending == (checks: 1, requests: 2) })

            // Another credential: refused at once, without a check, and counted.
            let other = try TestClient(port: server.port, timeout: 60)
            let refused = try other.get("/metrics", headers: Self.aliceWrong)
            #expect(refused.status == 429)
            #expect(refused.header("Retry-After") == "1")
            #expect(server.statistics.authRejections(.overload) == 1)
            // The probes stay open, on the same loop, on the same connection.
            #expect(try other.get("/-/healthy").status == 200)
            #expect(try other.get("/-/ready").status == 200)
            #expect(gate.count == 1)

            gate.open()
            for client in [first, second] {
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "GET /metrics\n")
            }
            #expect(gate.count == 1, "both requests were answered by one check")
            // Kept alive: the next request on the connection is answered from the cache.
            #expect(try first.get("/again", headers: Self.alice).status == 200)
            #expect(gate.count == 1)

            // Room again: the wrong password is checked once, then refused from the cache.
            #expect(try other.get("/metrics", headers: Self.aliceWrong).status == 401)
            #expect(try other.get("/metrics", headers: Self.aliceWrong).status == 401)
            #expect(gate.count == 2)
            #expect(server.statistics.authRejections(.wrongCredentials) == 2)
            #expect(server.statistics.authRejections(.overload) == 1)
            #expect(verifier.pending == (checks: 0, requests: 0))
        }
    }

    @Test("a connection already refused for its credentials gets fewer places and queues behind a new one")
    func refusedConnectionsYield() throws {
        try withGatedServer(maxPending: 4) { gate, server in  // one place kept for connections never refused
            let verifier = try #require(server.verifier)

            let running = try TestClient(port: server.port, timeout: 60)
            try running.send(Self.request("alice:first"))
            #expect(gate.waitForEntry())
            // Three connections refused once (no credentials: a 401 without bcrypt), then each with a new password.
            var refused: [TestClient] = []
            for _ in 0..<3 {
                let client = try TestClient(port: server.port, timeout: 60)
                #expect(try client.get("/metrics").status == 401)
                refused.append(client)
            }
            try refused[0].send(Self.request("alice:wrong1"))
            try refused[1].send(Self.request("alice:wrong2"))
            #expect(eventually(within: 60) { verifier.pending == (checks: 3, requests: 3) })
            let overloaded = try refused[2].get("/metrics", headers: Self.basic("alice:wrong3"))
            #expect(overloaded.status == 429)
            #expect(overloaded.header("Retry-After") == "1")

            // A connection never refused takes the kept place, and its check goes ahead of the refused ones'.
            let scraper = try TestClient(port: server.port, timeout: 60)
            try scraper.send(Self.request("alice:secret"))
            #expect(eventually(within: 60) { verifier.pending == (checks: 4, requests: 4) })
            gate.open()
            #expect(try scraper.readResponse().status == 200)
            #expect(try running.readResponse().status == 401)
            #expect(try refused[0].readResponse().status == 401)
            #expect(try refused[1].readResponse().status == 401)
            #expect(gate.passwords == ["first", "secret", "wrong1", "wrong2"])
            #expect(server.statistics.authRejections(.overload) == 1)
            #expect(server.statistics.authRejections(.wrongCredentials) == 6)
        }
    }

    @Test("a connection never refused is checked by the priority worker while the flood's check holds the other")
    func priorityWorkerDoesNotWaitForTheFlood() throws {
        try withGatedServer(maxPending: 4, priorityWorkers: 1) { gate, server in
            // A flooding connection: refused once, then a new wrong password, which the general worker takes and holds.
            let flood = try TestClient(port: server.port, timeout: 60)
            #expect(try flood.get("/metrics").status == 401)
            try flood.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\(Self.basic("alice:wrong1"))\r\n")
            #expect(gate.waitForEntry())
            // A second wrong password from the flood queues behind it: the priority worker never takes it.
            let flood2 = try TestClient(port: server.port, timeout: 60)
            #expect(try flood2.get("/metrics").status == 401)
            try flood2.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\(Self.basic("alice:wrong2"))\r\n")
            // The scraper's first request starts its check while the flood's is still held.
            let scraper = try TestClient(port: server.port, timeout: 60)
            try scraper.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\(Self.alice)\r\n")
            #expect(gate.waitForEntry())
            #expect(gate.passwords == ["wrong1", "secret"])
            gate.open()
            #expect(try scraper.readResponse().status == 200)
            #expect(try flood.readResponse().status == 401)
            #expect(try flood2.readResponse().status == 401)
            #expect(gate.passwords == ["wrong1", "secret", "wrong2"])
        }
    }

    @Test("requests pipelined behind one waiting for its check are answered after it, in order")
    func pipelinedBehindACheck() throws {
        try withGatedServer(maxPending: 4) { gate, server in
            let client = try TestClient(port: server.port, timeout: 60)
            try client.send("GET /one HTTP/1.1\r\nHost: test\r\n\(Self.alice)\r\n"
                            + "GET /two HTTP/1.1\r\nHost: test\r\n\(Self.aliceWrong)\r\n"
                            + "GET /-/healthy HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(gate.waitForEntry())
            gate.open()
            let one = try client.readResponse()
            #expect(one.status == 200 && one.text == "GET /one\n")
            #expect(try client.readResponse().status == 401)
            let healthy = try client.readResponse()
            #expect(healthy.status == 200 && healthy.text == "GET /-/healthy\n")
            #expect(gate.count == 2)
        }
    }

    @Test("a connection refused for its credentials moves to the refused-connection loop, and back once they are right")
    func refusedConnectionMoves() throws {
        try withGatedServer(maxPending: 4) { gate, server in
            gate.open()
            #expect(server.connectionsPerLoop == [0, 0])
            let client = try TestClient(port: server.port, timeout: 60)
            #expect(try client.get("/-/healthy").status == 200)
            #expect(server.connectionsPerLoop == [1, 0])
            // Refused after its check, with the start of its next request already sent: the part travels along.
            try client.send(Self.request("alice:wrong") + "GET /next HTTP/1.1\r\nHost: te")
            #expect(try client.readResponse().status == 401)
            #expect(eventually(within: 60) { server.connectionsPerLoop == [0, 1] })
            // The right password, served on the refused-connection loop; then the connection goes back.
            try client.send("st\r\n\(Self.alice)\r\n")
            let next = try client.readResponse()
            #expect(next.status == 200 && next.text == "GET /next\n")
            #expect(eventually(within: 60) { server.connectionsPerLoop == [1, 0] })
            #expect(server.connectionMoves == (toRefusedLoop: 1, back: 1))

            // Refused from the cache (no check): moved as well.
            let other = try TestClient(port: server.port, timeout: 60)
            #expect(try other.get("/metrics", headers: Self.aliceWrong).status == 401)
            #expect(eventually(within: 60) { server.connectionsPerLoop == [1, 1] })
            // Pipelined on the moved connection: answered in order; the last credentials were right, so it goes back.
            try other.send(Self.request("alice:wrong") + Self.request("alice:secret") + "GET /-/ready HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(try other.readResponse().status == 401)
            #expect(try other.readResponse().status == 200)
            #expect(try other.readResponse().status == 200)
            #expect(eventually(within: 60) { server.connectionsPerLoop == [2, 0] })
            #expect(server.connectionMoves == (toRefusedLoop: 2, back: 2))
            #expect(gate.passwords == ["wrong", "secret"])

            // Closing releases the connection and its slot.
            #expect(try other.get("/metrics").status == 401)
            #expect(eventually(within: 60) { server.connectionsPerLoop == [1, 1] })
            other.shutdown()
            #expect(eventually(within: 60) { server.connectionsPerLoop == [1, 0] })
            #expect(try client.get("/-/healthy").status == 200)
        }
    }

    @Test("a client that goes away while its check runs: the verdict is still cached, the loop carries on")
    func clientGoneDuringTheCheck() throws {
        try withGatedServer(maxPending: 4) { gate, server in
            let verifier = try #require(server.verifier)
            do {
                let leaving = try TestClient(port: server.port, timeout: 60)
                try leaving.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\(Self.alice)\r\n")
                #expect(gate.waitForEntry())
            }  // closed here
            gate.open()
            #expect(eventually(within: 60) { verifier.pending == (checks: 0, requests: 0) })
            let client = try TestClient(port: server.port, timeout: 60)
            #expect(try client.get("/metrics", headers: Self.alice).status == 200)
            #expect(gate.count == 1)
        }
    }
}
