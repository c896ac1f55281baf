#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import Testing
@testable import HTTPServer

@Suite("HTTPServer over loopback")
struct HTTPServerTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        for path in ["/one", "/two", "/three"] {
            let response = try client.get(path)
            #expect(response.status == 200)
            #expect(response.text == "GET \(path)\n")
            #expect(response.header("Content-Length") == "\(response.body.count)")
            #expect(response.header("Connection") == nil)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        try client.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\nGET /c HTTP/1.1\r\nHost: t\r\n\r\n")
        let bodies = try (0..<3).map { _ in try client.readResponse().text }
        #expect(bodies == ["GET /a\n", "GET /b\n", "GET /c\n"])
    }

    @Test func pipelinedRequestsBehindALargeResponseWaitForIt() throws {
        // The 16 MiB body does not fit the socket buffers while the client is not reading: the next request
        // must wait for it and come out after it, whole.
        let server = try startServer { $0.writeTimeout = 20 }
        defer { server.shutdown() }
        let client = try TestClient(port: server.port, receiveBuffer: 16384)
        try client.send("GET /big HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n")
        usleep(100_000)
        let big = try client.readResponse()
        #expect(big.body == EchoHandler.bigBody)
        #expect(try client.readResponse().text == "GET /after\n")
    }

    @Test func headGivesTheHeadersOfGetAndNoBody() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        try client.send("HEAD /page HTTP/1.1\r\n\r\n")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "\("HEAD /page\n".utf8.count)")
        #expect(head.header("Content-Type") == "text/plain")
        // Had a body been sent, it would be read here as the start of the next response.
        #expect(try client.get("/next").text == "GET /next\n")
    }

    @Test func handlerStatusesPassThrough() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        let response = try client.get("/missing")
        #expect(response.status == 404)
        #expect(response.text == "not found\n")
        #expect(try client.get("/x").status == 200)
    }

    @Test func otherMethodsGet405WithAllow() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        try client.send("DELETE /metrics HTTP/1.1\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, HEAD")
        #expect(try client.get("/still-open").status == 200)  // no body was announced: the connection stays

        let poster = try TestClient(port: server.port)
        try poster.send("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        let withBody = try poster.readResponse()
        #expect(withBody.status == 405)
        #expect(withBody.header("Connection") == "close")   // its body is not read: the connection is closed
        #expect(poster.waitForClose())
    }

    @Test func malformedRequestsGet400AndAClosedConnection() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n folded: b\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(response.header("Connection") == "close")
        #expect(client.waitForClose())
    }

    @Test func unsupportedVersionsGet505() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        try client.send("GET / HTTP/2.0\r\n\r\n")
        #expect(try client.readResponse().status == 505)
        #expect(client.waitForClose())
    }

    @Test func oversizedHeadsGet431() throws {
        let server = try startServer { $0.maxHeaderBytes = 1024 }
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "b", count: 2000))\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 431)
        #expect(response.header("Connection") == "close")
        #expect(client.waitForClose())
    }

    @Test func connectionCloseAndHTTP10AreHonoured() throws {
        let server = try startServer()
        defer { server.shutdown() }

        let closing = try TestClient(port: server.port)
        let closed = try closing.get("/", headers: "Connection: close\r\n")
        #expect(closed.header("Connection") == "close")
        #expect(closing.waitForClose())

        let old = try TestClient(port: server.port)
        try old.send("GET /old HTTP/1.0\r\n\r\n")
        #expect(try old.readResponse().header("Connection") == "close")
        #expect(old.waitForClose())

        let oldKept = try TestClient(port: server.port)
        try oldKept.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try oldKept.readResponse().header("Connection") == "keep-alive")
        try oldKept.send("GET /b HTTP/1.0\r\n\r\n")
        #expect(try oldKept.readResponse().text == "GET /b\n")
    }

    @Test func aSilentClientIsCutOffAfterTheReadTimeout() throws {
        // Every other limit is far away: only the 0.3 s read timeout can close it before the client gives up.
        let server = try startServer { $0.readTimeout = 0.3; $0.idleTimeout = 120; $0.writeTimeout = 120 }
        defer { server.shutdown() }
        let client = try TestClient(port: server.port, timeout: 60)
        #expect(client.waitForClose())
        #expect(client.unread.isEmpty)  // cut off, not answered
    }

    @Test func aTricklingClientIsCutOffAfterTheReadTimeout() throws {
        // Each byte comes well within the timeout; the head as a whole does not.
        let server = try startServer { $0.readTimeout = 0.5; $0.idleTimeout = 120 }
        defer { server.shutdown() }
        let client = try TestClient(port: server.port, timeout: 60)
        #expect(trickle("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n", to: client, every: 0.1) == .cutOff)
        #expect(client.unread.isEmpty)
    }

    @Test func idleKeptAliveConnectionsCloseAfterTheIdleTimeout() throws {
        let server = try startServer { $0.idleTimeout = 0.3; $0.readTimeout = 60 }
        defer { server.shutdown() }
        let client = try TestClient(port: server.port, timeout: 30)
        #expect(try client.get("/").status == 200)
        #expect(client.waitForClose())
    }

    @Test func connectionsBeyondTheCapGet503() throws {
        let server = try startServer { $0.maxConnections = 2; $0.readTimeout = 10; $0.idleTimeout = 10 }
        defer { server.shutdown() }
        let first = try TestClient(port: server.port)
        let second = try TestClient(port: server.port)
        #expect(try first.get("/").status == 200)
        #expect(try second.get("/").status == 200)

        let third = try TestClient(port: server.port)
        try? third.send("GET / HTTP/1.1\r\n\r\n")
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused.header("Connection") == "close")
        #expect(third.waitForClose())

        try first.send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        _ = try first.readResponse()
        #expect(first.waitForClose())
        // The freed slot is given to the next client.
        #expect(eventually(within: 30) { (try? TestClient(port: server.port).get("/").status) == 200 })
    }

    @Test func listensOnIPv6Loopback() throws {
        let server = try startServer { $0.listenAddress = try ListenAddress.parse("[::1]:0") }
        defer { server.shutdown() }
        #expect(server.port > 0)
        let client = try TestClient(port: server.port, ipv6: true)
        #expect(try client.get("/six").text == "GET /six\n")
    }

    @Test func allInterfacesAcceptIPv4AndIPv6() throws {
        let server = try startServer { $0.listenAddress = try ListenAddress.parse(":0") }
        defer { server.shutdown() }
        #expect(try TestClient(port: server.port).get("/v4").status == 200)
        #expect(try TestClient(port: server.port, ipv6: true).get("/v6").status == 200)
    }

    @Test func aTakenPortIsAnErrorNamingTheAddressAndTheReason() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let address = "127.0.0.1:\(server.port)"
        let second = HTTPServer(configuration: HTTPServerConfiguration(listenAddress: try .parse(address)), handler: EchoHandler())
        #expect(throws: HTTPServerError.listenFailed(address: address, reason: "Address already in use")) {
            try second.start()
        }
        #expect("\(HTTPServerError.listenFailed(address: address, reason: "Address already in use"))"
            == "cannot listen on \(address): Address already in use")
    }

    @Test func shutdownLetsAResponseBeingWrittenFinish() throws {
        // Generous timeouts: a 16 MiB body through a 16 KiB window on a loaded machine; the drain must not cut it.
        let server = try startServer { $0.writeTimeout = 60 }
        let client = try TestClient(port: server.port, timeout: 60, receiveBuffer: 16384)
        let idle = try TestClient(port: server.port, timeout: 60)
        #expect(try idle.get("/").status == 200)
        try client.send("GET /big HTTP/1.1\r\n\r\n")
        // The server has started writing (and waits on the socket for the rest) before the shutdown begins.
        #expect(client.waitForFirstBytes())

        let stopped = DispatchSemaphore(value: 0)
        Thread { server.shutdown(drainTimeout: 60); stopped.signal() }.start()
        let response = try client.readResponse()
        #expect(response.body == EchoHandler.bigBody)
        #expect(stopped.wait(timeout: .now() + 60) == .success)
        #expect(client.waitForClose())
        #expect(idle.waitForClose())
        #expect(throws: TestClient.Failure.self) { try TestClient(port: server.port) }
    }

    @Test func aClientThatStopsReadingIsCutOffAfterTheWriteTimeout() throws {
        let server = try startServer { $0.writeTimeout = 0.3 }
        defer { server.shutdown() }
        let client = try TestClient(port: server.port, timeout: 30, receiveBuffer: 16384)
        try client.send("GET /big HTTP/1.1\r\n\r\n")
        // The event, not a guess at how long it takes: the server's side of the connection is gone (only the
        // listening socket is left) while the client has read nothing. Reading before that would make room in the
        // window and let the server go on writing.
        #expect(client.waitForFirstBytes())
        #expect(eventually(within: 60) { openSocketDescriptors(localPort: server.port) == 1 })
        // It never got more than the socket buffers held, and then the connection was closed.
        #expect(client.waitForClose())
        #expect(client.unread.count < EchoHandler.bigBody.count)
    }
}

@Suite("Listen addresses")
struct ListenAddressTests {
    @Test(arguments: [
        (":9877", ListenAddress(host: .any, port: 9877)),
        ("127.0.0.1:9877", ListenAddress(host: .ipv4("127.0.0.1"), port: 9877)),
        ("0.0.0.0:80", ListenAddress(host: .any, port: 80)),
        ("[::1]:9877", ListenAddress(host: .ipv6("::1"), port: 9877)),
        ("[::]:0", ListenAddress(host: .any, port: 0)),
        ("localhost:9", ListenAddress(host: .ipv4("127.0.0.1"), port: 9)),
    ])
    func parsesTheDocumentedForms(text: String, expected: ListenAddress) throws {
        #expect(try ListenAddress.parse(text) == expected)
    }

    @Test(arguments: ["9877", "", ":", "127.0.0.1", "127.0.0.1:", ":65536", ":-1", ":98a", "::1:9877", "[::1]",
                      "[::1:9877", "[zz]:1", "256.0.0.1:1", "example.org:80", " :9877", ":+80"])
    func rejectsOtherTextNamingTheValueAndTheExpectedForm(text: String) {
        #expect(throws: HTTPServerError.invalidListenAddress(text)) { try ListenAddress.parse(text) }
        #expect("\(HTTPServerError.invalidListenAddress(text))"
            == "invalid listen address \"\(text)\": expected [host]:port, e.g. :9877, 127.0.0.1:9877 or [::1]:9877")
    }
}
