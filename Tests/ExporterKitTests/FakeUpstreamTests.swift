import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// The fake upstream is the ground truth of every fault test, so its own behaviour is checked with a plain
/// URLSession client here.
@Suite struct FakeUpstreamTests {
    private func get(_ url: URL, headers: [String: String] = [:]) async throws -> (Int, Data, HTTPURLResponse) {
        var request = URLRequest(url: url)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, data, http)
    }

    @Test func servesFixtureAndRecordsTargetQueryAndHeaders() async throws {
        let upstream = try FakeUpstream()
        defer { upstream.stop() }
        upstream.route("/v1/key/info", .fixture("cmc/key-info.json"))
        let url = URL(string: "\(upstream.baseURL)/v1/key/info?symbol=AKT&convert=USD")!
        let (status, body, _) = try await get(url, headers: ["X-CMC_PRO_API_KEY": "secret-key"])
        #expect(status == 200)
        #expect(body == (try Fixtures.data("cmc/key-info.json")))
        let seen = try #require(upstream.requests.first)
        #expect(seen.method == "GET")
        #expect(seen.path == "/v1/key/info")
        #expect(seen.query == "symbol=AKT&convert=USD")
        #expect(seen.rawTarget == "/v1/key/info?symbol=AKT&convert=USD")
        #expect(seen.header("x-cmc_pro_api_key") == "secret-key")
        #expect(upstream.requestCount(path: "/v1/key/info") == 1)
    }

    @Test func unroutedPathIs404AndRerouteHeals() async throws {
        let upstream = try FakeUpstream()
        defer { upstream.stop() }
        let url = upstream.baseURL.appendingPathComponent("v1/gpu-prices")
        #expect(try await get(url).0 == 404)
        upstream.route("/v1/gpu-prices", .status(500, body: Data("boom".utf8)))
        #expect(try await get(url).0 == 500)
        upstream.route("/v1/gpu-prices", .json(Data("{}".utf8), headers: ["Retry-After": "7"]))
        let (status, body, response) = try await get(url)
        #expect(status == 200)
        #expect(body == Data("{}".utf8))
        #expect(response.value(forHTTPHeaderField: "Retry-After") == "7")
        #expect(upstream.requestCount(path: "/v1/gpu-prices") == 3)
    }

    @Test func largeBodyHasExactSizeAndIsJSON() async throws {
        let upstream = try FakeUpstream()
        defer { upstream.stop() }
        upstream.route("/big", .large(bytes: 300_000))
        let (status, body, _) = try await get(upstream.baseURL.appendingPathComponent("big"))
        #expect(status == 200)
        #expect(body.count == 300_000)
        let object = try JSONSerialization.jsonObject(with: body) as? [String: String]
        #expect(object?["padding"]?.count == 300_000 - 14)
    }

    @Test func responderSeesEachRequest() async throws {
        let upstream = try FakeUpstream()
        defer { upstream.stop() }
        upstream.route("/flaky") { request in
            request.query == "ok=1" ? .status(200) : .status(503)
        }
        #expect(try await get(URL(string: "\(upstream.baseURL)/flaky?ok=0")!).0 == 503)
        #expect(try await get(URL(string: "\(upstream.baseURL)/flaky?ok=1")!).0 == 200)
    }

    @Test func routeTableForbidsParametersByName() async throws {
        let upstream = try FakeUpstream()
        defer { upstream.stop() }
        // As the chain's list paths: any address, one state of them all, the network (no address), one provider.
        // The state-only route comes before the network one, so only the forbidden names' specificity puts the
        // network route first.
        upstream.routeTable([
            FakeRoute("/list", .status(200, body: Data("any".utf8))),
            FakeRoute("/list", requiring: ["filters.state=active"], .status(200, body: Data("state".utf8))),
            FakeRoute("/list", requiring: ["filters.state=active"], forbidding: ["filters.owner", "filters.provider"],
                      .status(200, body: Data("network".utf8))),
            FakeRoute("/list", requiring: ["filters.provider=P", "filters.state=active"],
                      .status(200, body: Data("provider".utf8))),
        ])
        func answer(_ query: String) async throws -> String {
            let (status, body, _) = try await get(URL(string: "\(upstream.baseURL)/list?\(query)")!)
            #expect(status == 200, "\(query)")
            return String(decoding: body, as: UTF8.self)
        }
        // Without a forbidden name the forbidding route matches, whatever else (the page size) the request carries.
        #expect(try await answer("filters.state=active") == "network")
        #expect(try await answer("filters.state=active&pagination.limit=1000") == "network")
        // A forbidden name present, with any value (an empty one too, percent-encoded or not), and it does not.
        #expect(try await answer("filters.owner=O&filters.state=active") == "state")
        #expect(try await answer("filters.state=active&filters%2Eowner=") == "state")
        // The provider's request names a forbidden parameter: the network route, though it pins down more, loses
        // to the route requiring that provider.
        #expect(try await answer("filters.provider=P&filters.state=active") == "provider")
        #expect(try await answer("filters.provider=Q&filters.state=active") == "state")
        #expect(try await answer("filters.owner=O") == "any")
    }

    @Test func stopReturnsPromptlyWhileAClientHangs() async throws {
        let upstream = try FakeUpstream()
        upstream.route("/hang", .hang)
        var request = URLRequest(url: upstream.baseURL.appendingPathComponent("hang"))
        request.timeoutInterval = 30
        let client = Task { try? await URLSession.shared.data(for: request) }
        while upstream.requestCount(path: "/hang") == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let started = ContinuousClock.now
        upstream.stop()
        // Not a speed goal: a stop that waited for the 30 s client timeout would be a bug.
        #expect(ContinuousClock.now - started < .seconds(5))
        _ = await client.value
    }
}
