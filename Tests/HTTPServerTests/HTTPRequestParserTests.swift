import Testing
import TestSupport
@testable import HTTPServer

@Suite("HTTPRequestParser")
struct HTTPRequestParserTests {
    private func parse(_ text: String, maxHeaderBytes: Int = 8192) -> HTTPParseResult {
        HTTPRequestParser.parse(Array(text.utf8), maxHeaderBytes: maxHeaderBytes)
    }

    private func request(_ text: String) throws -> (HTTPRequest, Int) {
        guard case .complete(let request, let consumed) = parse(text) else {
            throw TestClient.Failure(description: "not complete: \(parse(text))")
        }
        return (request, consumed)
    }

    @Test func parsesAPrometheusScrape() throws {
        let text = "GET /metrics?format=text HTTP/1.1\r\nHost: 127.0.0.1:9877\r\nUser-Agent: Prometheus/2.53.0\r\n"
            + "Accept: text/plain;version=0.0.4;q=0.9,*/*;q=0.1\r\nX-Prometheus-Scrape-Timeout-Seconds:  10 \r\n\r\n"
        let (request, consumed) = try request(text)
        #expect(consumed == text.utf8.count)
        #expect(request.method == "GET")
        #expect(request.path == "/metrics")
        #expect(request.query == "format=text")
        #expect(request.version == .http11)
        #expect(request.headers.map(\.name) == ["Host", "User-Agent", "Accept", "X-Prometheus-Scrape-Timeout-Seconds"])
        #expect(request.header("user-agent") == "Prometheus/2.53.0")
        #expect(request.header("x-prometheus-scrape-timeout-seconds") == "10")  // surrounding whitespace trimmed
        #expect(request.header("Cookie") == nil)
    }

    @Test func acceptsBareLineFeedsAndLeadingEmptyLines() throws {
        let text = "\r\n\nHEAD /x HTTP/1.0\nHost: a\n\n"
        let (request, consumed) = try request(text)
        #expect(request.method == "HEAD")
        #expect(request.path == "/x")
        #expect(request.version == .http10)
        #expect(request.header("host") == "a")
        #expect(consumed == text.utf8.count)
    }

    @Test(arguments: [
        ("GET http://127.0.0.1:9877/metrics?x=1 HTTP/1.1", "/metrics", "x=1"),
        ("GET HTTPS://example.org HTTP/1.1", "/", nil),
        ("GET http://h?q HTTP/1.1", "/", "q"),
        ("GET /a/b? HTTP/1.1", "/a/b", ""),
        ("OPTIONS * HTTP/1.1", "*", nil),
    ] as [(String, String, String?)])
    func requestTargetForms(line: String, path: String, query: String?) throws {
        let (request, _) = try request(line + "\r\n\r\n")
        #expect(request.path == path)
        #expect(request.query == query)
    }

    @Test func stopsAtTheEndOfTheFirstOfPipelinedRequests() throws {
        let first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
        let (request, consumed) = try request(first + "GET /b HTTP/1.1\r\n\r\nGET /c")
        #expect(request.path == "/a")
        #expect(consumed == first.utf8.count)
    }

    @Test func everyPrefixOfAValidRequestIsIncomplete() {
        let bytes = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n".utf8)
        for length in 0..<bytes.count {
            #expect(HTTPRequestParser.parse(Array(bytes[0..<length])) == .incomplete, "prefix of \(length) bytes")
        }
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),           // obsolete line folding
        ("GET / HTTP/1.1\r\n leading: space\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),                       // whitespace before the colon
        ("GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400),                         // bare CR inside a value
        ("GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", 400),                     // NUL in a value
        ("GET  / HTTP/1.1\r\n\r\n", 400),                                  // two spaces
        ("GET /\r\n\r\n", 400),                                            // HTTP/0.9 form
        ("GET / http/1.1\r\n\r\n", 400),
        ("GET / HTTP/1\r\n\r\n", 400),
        ("GET / HTTP/1.1 extra\r\n\r\n", 400),
        ("GET /a b HTTP/1.1\r\n\r\n", 400),
        ("GET /caf\u{e9} HTTP/1.1\r\n\r\n", 400),                          // raw non-ASCII target
        ("GET relative HTTP/1.1\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\n\r\n", 400),                                   // not a token
        ("GET / HTTP/2.0\r\n\r\n", 505),
        ("GET / HTTP/1.2\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 400),        // GET with a body
        ("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 405),   // a body we never read: close
    ] as [(String, Int)])
    func rejectsMalformedRequests(text: String, status: Int) {
        #expect(parse(text) == .invalid(status: status))
    }

    @Test func acceptsAnEmptyBodyLengthAndOtherMethodsWithoutBody() throws {
        #expect(try request("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").0.path == "/")
        #expect(try request("DELETE /x HTTP/1.1\r\n\r\n").0.method == "DELETE")
    }

    @Test func rejectsGarbageBeforeTheHeadIsComplete() {
        // A TLS ClientHello on the plain port is refused now, not when the read timeout expires.
        #expect(HTTPRequestParser.parse([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]) == .invalid(status: 400))
        #expect(parse("GET /x HTTP/9\r\nHost: a\r\n") == .invalid(status: 400))
        #expect(parse("GET /x HTTP/1.1\r\nHost: a\r\n") == .incomplete)
    }

    @Test func headsLargerThanTheLimitGet431() throws {
        let header = "X-Padding: " + String(repeating: "a", count: 9000) + "\r\n"
        #expect(parse("GET / HTTP/1.1\r\n" + header + "\r\n") == .invalid(status: 431))
        #expect(parse("GET / HTTP/1.1\r\n" + header) == .invalid(status: 431))   // before its end arrives
        #expect(parse(String(repeating: "\r\n", count: 5000)) == .invalid(status: 431))
        let fits = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 8100) + "\r\n\r\n"
        #expect(fits.utf8.count < 8192)
        #expect(try request(fits).1 == fits.utf8.count)
        #expect(parse(fits, maxHeaderBytes: 1024) == .invalid(status: 431))
    }

    @Test(arguments: [
        (HTTPVersion.http11, nil, true),
        (.http11, "close", false),
        (.http11, "Keep-Alive, CLOSE", false),
        (.http10, nil, false),
        (.http10, "keep-alive", true),
        (.http10, " Keep-Alive ", true),
    ] as [(HTTPVersion, String?, Bool)])
    func keepAliveFollowsVersionAndConnectionHeader(version: HTTPVersion, connection: String?, keepAlive: Bool) {
        let request = HTTPRequest(method: "GET", path: "/", version: version,
                                  headers: connection.map { [("Connection", $0)] } ?? [])
        #expect(request.keepAlive == keepAlive)
    }
}
