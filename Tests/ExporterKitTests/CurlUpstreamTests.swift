import Foundation
import Testing
import TestSupport
@testable import ExporterKit

/// The real client against the fake upstream: every fault it must turn into the right `FailureReason`.
@Suite struct CurlUpstreamTests {
    let upstream = try! FakeUpstream()
    let client = CurlUpstream()

    private func request(_ path: String, timeout: Double = 5, maxBodyBytes: Int = 1 << 20,
                         headers: [String: String] = [:]) -> UpstreamRequest {
        UpstreamRequest(url: upstream.baseURL.appendingAPIPath(path), headers: headers, timeout: timeout,
                        maxBodyBytes: maxBodyBytes)
    }

    /// The failure `fetch` throws, or nil when it returned.
    private func failure(of request: UpstreamRequest) async -> SourceFailure? {
        do {
            _ = try await client.fetch(request)
            return nil
        } catch {
            return error
        }
    }

    @Test func successReturnsBodyStatusAndLowerCasedHeaders() async throws {
        defer { upstream.stop() }
        upstream.route("/v1/gpu-prices", .json(try Fixtures.data("akash/gpu-prices.json"), headers: ["X-Request-Id": "abc"]))
        let response = try await client.fetch(request("/v1/gpu-prices"))
        #expect(response.status == 200)
        #expect(response.body == (try Fixtures.data("akash/gpu-prices.json")))
        #expect(response.headers["x-request-id"] == "abc")
        #expect(response.headers["content-type"] == "application/json")
    }

    @Test func serverErrorIsReturnedNotThrown() async throws {
        defer { upstream.stop() }
        upstream.route("/v1/providers", .status(500, body: Data("upstream broke".utf8)))
        let response = try await client.fetch(request("/v1/providers"))
        #expect(response.status == 500)
        #expect(response.body == Data("upstream broke".utf8))
    }

    @Test func rateLimitIsReturnedWithRetryAfter() async throws {
        defer { upstream.stop() }
        upstream.route("/v1/x", .status(429, headers: ["Retry-After": "42"]))
        let response = try await client.fetch(request("/v1/x"))
        #expect(response.status == 429)
        #expect(response.retryAfter() == 42)
    }

    @Test func serverThatNeverAnswersTimesOut() async throws {
        defer { upstream.stop() }
        upstream.route("/hang", .hang)
        let failure = await failure(of: request("/hang", timeout: 1))
        #expect(failure?.reason == .timeout)
        #expect(failure?.message.contains("127.0.0.1:\(upstream.port)/hang") == true)
    }

    @Test func subSecondTimeoutIsKept() async throws {
        defer { upstream.stop() }
        upstream.route("/hang", .hang)
        upstream.route("/quick", .delayed(seconds: 0.05, .status(204)))
        let failure = await failure(of: request("/hang", timeout: 0.3))
        #expect(failure?.message == "GET 127.0.0.1:\(upstream.port)/hang: no complete answer within 300ms")
        #expect(try await client.fetch(request("/quick", timeout: 0.5)).status == 204)
    }

    @Test func slowAnswerPastTheWholeRequestTimeoutTimesOut() async throws {
        defer { upstream.stop() }
        upstream.route("/slow", .delayed(seconds: 3, .status(200)))
        #expect(await failure(of: request("/slow", timeout: 1))?.reason == .timeout)
    }

    @Test func closedPortIsConnectionFailure() async throws {
        let port = upstream.port
        upstream.stop()
        let url = URL(string: "http://127.0.0.1:\(port)/v1/gpu-prices")!
        let failure = await failure(of: UpstreamRequest(url: url, timeout: 5))
        #expect(failure?.reason == .connection)
        #expect(failure?.message == "GET 127.0.0.1:\(port)/v1/gpu-prices: connection refused")
    }

    @Test func connectionClosedWithoutAnswerIsConnectionFailure() async throws {
        defer { upstream.stop() }
        upstream.route("/reset", .closeImmediately)
        #expect(await failure(of: request("/reset"))?.reason == .connection)
    }

    @Test func truncatedBodyIsConnectionFailure() async throws {
        defer { upstream.stop() }
        upstream.route("/cut", .truncated(try Fixtures.data("akash/providers.json")))
        let failure = await failure(of: request("/cut", maxBodyBytes: 16 << 20))
        #expect(failure?.reason == .connection)
    }

    @Test func bodyOverTheLimitIsDecodeFailure() async throws {
        defer { upstream.stop() }
        upstream.route("/huge", .large(bytes: 20 << 20))
        let failure = await failure(of: request("/huge", maxBodyBytes: 16 << 20))
        #expect(failure?.reason == .decode)
        #expect(failure?.message == "GET 127.0.0.1:\(upstream.port)/huge: body larger than 16777216 bytes")
    }

    @Test func bodyExactlyAtTheLimitIsAccepted() async throws {
        defer { upstream.stop() }
        upstream.route("/edge", .large(bytes: 100_000))
        let response = try await client.fetch(request("/edge", maxBodyBytes: 100_000))
        #expect(response.body.count == 100_000)
    }

    @Test func keyTravelsInTheHeaderOnlyAndNeverInAMessage() async throws {
        defer { upstream.stop() }
        let key = "cmc-key-0123456789abcdef"
        upstream.route("/v3/cryptocurrency/quotes/latest", .fixture("cmc/quotes-v3.json"))
        upstream.route("/hang", .hang)
        let url = upstream.baseURL.appendingAPIPath("/v3/cryptocurrency/quotes/latest", query: [("id", "7431,1")])
        _ = try await client.fetch(UpstreamRequest(url: url, headers: ["X-CMC_PRO_API_KEY": key], timeout: 5))
        let failure = await failure(of: request("/hang", timeout: 1, headers: ["X-CMC_PRO_API_KEY": key]))

        let seen = try #require(upstream.requests.first)
        #expect(seen.header("X-CMC_PRO_API_KEY") == key)
        #expect(seen.rawTarget == "/v3/cryptocurrency/quotes/latest?id=7431,1")
        #expect(upstream.requests.allSatisfy { !$0.rawTarget.contains(key) })
        #expect(failure.map { !"\($0)".contains(key) } == true)
    }

    @Test func noCookiesAreKeptBetweenRequests() async throws {
        defer { upstream.stop() }
        upstream.route("/set", .status(200, headers: ["Set-Cookie": "session=tracking; Path=/"]))
        _ = try await client.fetch(request("/set"))
        _ = try await client.fetch(request("/set"))
        #expect(upstream.requests.count == 2)
        #expect(upstream.requests.allSatisfy { $0.header("cookie") == nil })
    }

    @Test func cancellingTheCallerCancelsTheTransfer() async throws {
        defer { upstream.stop() }
        upstream.route("/hang", .hang)
        let hanging = request("/hang", timeout: 600)
        let client = self.client
        let fetch = Task { () -> SourceFailure? in
            do throws(SourceFailure) {
                _ = try await client.fetch(hanging)
                return nil
            } catch {
                return error
            }
        }
        #expect(await eventually { upstream.requestCount(path: "/hang") == 1 })
        fetch.cancel()
        let failure = await fetch.value
        #expect(failure?.reason == .connection)
        #expect(failure?.message == "GET 127.0.0.1:\(upstream.port)/hang: cancelled")
    }

    // MARK: - Compressed transfers

    @Test func gzipIsAskedForAndDecodedAndTheWireBytesAreTheCompressedOnes() async throws {
        defer { upstream.stop() }
        let plain = try Fixtures.data("akash/providers.json")
        upstream.compressWhenAsked()
        upstream.route("/v1/providers", .json(plain))
        let response = try await client.fetch(request("/v1/providers"))
        #expect(upstream.requests.first?.header("accept-encoding")?.contains("gzip") == true)
        #expect(response.headers["content-encoding"] == "gzip")
        #expect(response.body == plain)
        #expect(response.wireBytes == upstream.bodyBytesSent(path: "/v1/providers"))
        #expect(response.wireBytes < plain.count / 2)
    }

    @Test func plainAnswerCountsItsBodyOnTheWire() async throws {
        defer { upstream.stop() }
        upstream.route("/v1/gpu-prices", .fixture("akash/gpu-prices.json"))
        let response = try await client.fetch(request("/v1/gpu-prices"))
        #expect(response.wireBytes == (try Fixtures.data("akash/gpu-prices.json")).count)
        #expect(response.wireBytes == upstream.bodyBytesSent(path: "/v1/gpu-prices"))
    }

    @Test func decompressionBombIsRefusedAsTooLarge() async throws {
        defer { upstream.stop() }
        let bomb = Gzip.compress(Data(count: 64 << 20))
        #expect(bomb.count < 80_000)  // about 64 KB on the wire, 64 MiB once inflated
        upstream.route("/bomb", .gzipped(bomb))
        let failure = await failure(of: request("/bomb", maxBodyBytes: 16 << 20))
        #expect(failure?.reason == .decode)
        #expect(failure?.message == "GET 127.0.0.1:\(upstream.port)/bomb: body larger than 16777216 bytes once decoded from gzip")
    }

    @Test func notModifiedIsAStatusWithTheValidators() async throws {
        defer { upstream.stop() }
        upstream.route("/v1/providers", .conditional(etag: "\"v1\"", .fixture("akash/providers.json")))
        let first = try await client.fetch(request("/v1/providers"))
        #expect(first.status == 200)
        #expect(first.headers["etag"] == "\"v1\"")
        let second = try await client.fetch(request("/v1/providers", headers: ["If-None-Match": "\"v1\""]))
        #expect(second.status == 304)
        #expect(second.body.isEmpty)
        #expect(upstream.requests.last?.header("if-none-match") == "\"v1\"")
    }
}
