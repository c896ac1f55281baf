import Foundation

/// A fake Akash chain REST (LCD) on a `FakeUpstream`: leases and deployments lists per owner, paginated the way
/// the gRPC gateway does it (`pagination.next_key` in the body, `pagination.key` in the next request), and the
/// latest block. Used by the account-area tests and the account and provider benchmarks.
///
/// Page keys are base64 with `+`, `/` and `=` in them, and an unknown or mangled key gets HTTP 400, so a client
/// that does not percent-encode the key it sends back fails visibly.
public final class FakeChain: Sendable {
    public static let leasesPath = "/akash/market/v1beta5/leases/list"
    public static let deploymentsPath = "/akash/deployment/v1beta4/deployments/list"
    public static let latestBlockPath = "/cosmos/base/tendermint/v1beta1/blocks/latest"
    public static let bidsPath = "/akash/market/v1beta5/bids/list"
    /// A block by height: `blockPath(height: 27000000)`.
    public static func blockPath(height: Int64) -> String { "/cosmos/base/tendermint/v1beta1/blocks/\(height)" }

    public let upstream: FakeUpstream
    /// Served under this path prefix, as an LCD behind a reverse proxy (`https://rpc.akt.dev/rest`) is.
    public let pathPrefix: String

    /// Serves no bids until told otherwise: a tenant whose leases are all older than market v1beta4, or whose
    /// bids list is simply empty, has no GPU series, and the account tests that are not about GPUs stay as they were.
    public init(pathPrefix: String = "/rest") throws {
        upstream = try FakeUpstream()
        self.pathPrefix = pathPrefix
        serveBids([:])
    }

    /// `http://127.0.0.1:PORT/rest`: what `--akash.rest-url` gets.
    public var baseURL: URL { URL(string: upstream.baseURL.absoluteString + pathPrefix)! }

    /// Answers `path` (under the prefix) with `reply`.
    public func route(_ path: String, _ reply: FakeReply) {
        upstream.route(pathPrefix + path, reply)
    }

    public func route(_ path: String, _ replies: @escaping FakeUpstream.Responder) {
        upstream.route(pathPrefix + path, replies)
    }

    /// The requests seen on `path` (under the prefix).
    public func requests(_ path: String) -> [RecordedRequest] {
        upstream.requests.filter { $0.path == pathPrefix + path }
    }

    /// Serves `items` (JSON objects, already encoded) of each owner under `listKey`, `pageSize` per page.
    public func serveList(_ path: String, listKey: String, itemsByOwner: [String: [String]], pageSize: Int) {
        route(path, Self.pagedList(listKey: listKey, itemsByOwner: itemsByOwner, pageSize: pageSize))
    }

    public func serveLeases(_ itemsByOwner: [String: [String]], pageSize: Int = 100) {
        serveList(Self.leasesPath, listKey: "leases", itemsByOwner: itemsByOwner, pageSize: pageSize)
    }

    public func serveDeployments(_ itemsByOwner: [String: [String]], pageSize: Int = 100) {
        serveList(Self.deploymentsPath, listKey: "deployments", itemsByOwner: itemsByOwner, pageSize: pageSize)
    }

    public func serveBids(_ itemsByOwner: [String: [String]], pageSize: Int = 100) {
        serveList(Self.bidsPath, listKey: "bids", itemsByOwner: itemsByOwner, pageSize: pageSize)
    }

    public func serveLatestBlock(height: Int64) {
        route(Self.latestBlockPath, .json(Data(Self.latestBlock(height: height).utf8)))
    }

    /// The latest block at `height` and `time`, and the block `window` below it `seconds` earlier.
    public func serveBlocks(height: Int64, time: String, window: Int64 = 1000, older olderTime: String) {
        route(Self.latestBlockPath, .json(Data(Self.latestBlock(height: height, time: time).utf8)))
        route(Self.blockPath(height: height - window), .json(Data(Self.latestBlock(height: height - window, time: olderTime).utf8)))
    }

    public func stop() {
        upstream.stop()
    }

    // MARK: - Bodies

    /// The key that leads to page `index` (1-based for the second page on): `+`, `/` and `=` guaranteed.
    public static func pageKey(_ index: Int) -> String {
        Data([0xfb, 0xef, 0xff, UInt8(truncatingIfNeeded: index), UInt8(truncatingIfNeeded: index >> 8)])
            .base64EncodedString()
    }

    /// The query parameters of a request, percent-decoded (`+` is not a space here: the gateway reads it as `+`).
    public static func queryItems(_ request: RecordedRequest) -> [String: String] {
        var items: [String: String] = [:]
        for pair in (request.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            items[name] = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? "<bad encoding>") : ""
        }
        return items
    }

    public static func pagedList(listKey: String, itemsByOwner: [String: [String]], pageSize: Int) -> FakeUpstream.Responder {
        pagedList(listKey: listKey, pageSize: pageSize) { query in
            let items = itemsByOwner[query["filters.owner"] ?? ""] ?? []
            // As the server walks one state's index: only the leases or bids in the state asked for.
            guard let state = query["filters.state"] else { return items }
            return items.filter { item in
                guard let object = try? JSONSerialization.jsonObject(with: Data(item.utf8)) as? [String: Any],
                      let entry = (object["lease"] ?? object["bid"]) as? [String: Any] else { return true }
                return entry["state"] as? String == state
            }
        }
    }

    /// Serves the items `select` picks from a request's query items (a provider's bids of one state, ...), paged.
    public static func pagedList(listKey: String, pageSize: Int,
                                 select: @escaping @Sendable (_ query: [String: String]) -> [String]) -> FakeUpstream.Responder {
        let keys = Dictionary(uniqueKeysWithValues: (1..<1000).map { (pageKey($0), $0) })
        return { request in
            let query = queryItems(request)
            let items = select(query)
            var page = 0
            if let key = query["pagination.key"] {
                guard let index = keys[key] else {
                    return .json(Data(#"{"code":3,"message":"invalid pagination key","details":[]}"#.utf8), status: 400)
                }
                page = index
            }
            let start = min(page * pageSize, items.count)
            let end = min(start + pageSize, items.count)
            let nextKey = end < items.count ? "\"\(pageKey(page + 1))\"" : "null"
            let body = "{\"\(listKey)\":[" + items[start..<end].joined(separator: ",")
                + "],\"pagination\":{\"next_key\":\(nextKey),\"total\":\"0\"}}"
            return .json(Data(body.utf8))
        }
    }

    /// One `leases/list` item, shaped like the real sample (`Tests/Fixtures/akash/leases.json`).
    public static func lease(owner: String, dseq: String, gseq: Int = 1, oseq: Int = 1, provider: String,
                             denom: String, amount: String, state: String = "active") -> String {
        """
        {"lease":{"id":{"owner":"\(owner)","dseq":"\(dseq)","gseq":\(gseq),"oseq":\(oseq),"provider":"\(provider)","bseq":0},\
        "state":"\(state)","price":{"denom":"\(denom)","amount":"\(amount)"},"created_at":"25880690","closed_on":"0",\
        "reason":"lease_closed_invalid","reclamation":null},\
        "escrow_payment":{"id":{"aid":{"scope":"deployment","xid":"\(owner)/\(dseq)"},"xid":"\(gseq)/\(oseq)/\(provider)"},\
        "state":{"owner":"\(provider)","state":"open","rate":{"denom":"\(denom)","amount":"\(amount)"},\
        "balance":{"denom":"\(denom)","amount":"0.000000000000000000"},"unsettled":{"denom":"\(denom)","amount":"0.000000000000000000"},\
        "withdrawn":{"denom":"\(denom)","amount":"0"}}}}
        """
    }

    /// One `bids/list` item, shaped like `Tests/Fixtures/akash/bids-gpu-uact.json`: one resource unit of `replicas`
    /// replicas with `gpusPerReplica` GPUs each of the model `gpuKey` names (no GPU attribute when nil).
    public static func bid(owner: String, dseq: String, gseq: Int = 1, oseq: Int = 1, provider: String, bseq: Int = 0,
                           state: String, denom: String, amount: String, replicas: Int = 1, gpusPerReplica: Int = 0,
                           gpuKey: String? = nil) -> String {
        let attributes = gpuKey.map { "{\"key\":\"\($0)\",\"value\":\"true\"}" } ?? ""
        return """
        {"bid":{"id":{"owner":"\(owner)","dseq":"\(dseq)","gseq":\(gseq),"oseq":\(oseq),"provider":"\(provider)","bseq":\(bseq)},\
        "state":"\(state)","price":{"denom":"\(denom)","amount":"\(amount)"},"created_at":"27000090",\
        "resources_offer":[{"resources":{"id":1,"cpu":{"units":{"val":"4000"},"attributes":[]},\
        "memory":{"quantity":{"val":"17179869184"},"attributes":[]},\
        "storage":[{"name":"default","quantity":{"val":"107374182400"},"attributes":[]}],\
        "gpu":{"units":{"val":"\(gpusPerReplica)"},"attributes":[\(attributes)]},\
        "endpoints":[{"kind":"SHARED_HTTP","sequence_number":0}]},"count":\(replicas),"prices":null}],\
        "reclamation_window":null},\
        "escrow_account":{"id":{"scope":"bid","xid":"\(owner)/\(dseq)/\(gseq)/\(oseq)/\(provider)"},\
        "state":{"owner":"\(provider)","state":"open","transferred":[],"settled_at":"27000090",\
        "funds":[{"denom":"uact","amount":"500000.000000000000000000"}],"deposits":[]}}}
        """
    }

    /// One `deployments/list` item with its escrow account, shaped like `Tests/Fixtures/akash/deployment-info.json`
    /// (groups left empty: the GPU price check reads them only for bids without an offer).
    public static func deployment(owner: String, dseq: String, funds: [(denom: String, amount: String)], settledAt: Int64,
                                  escrowState: String = "open") -> String {
        let coins = funds.map { "{\"denom\":\"\($0.denom)\",\"amount\":\"\($0.amount)\"}" }.joined(separator: ",")
        return """
        {"deployment":{"id":{"owner":"\(owner)","dseq":"\(dseq)"},"state":"active","hash":"","created_at":"\(settledAt)","reclamation":null},\
        "groups":[],\
        "escrow_account":{"id":{"scope":"deployment","xid":"\(owner)/\(dseq)"},\
        "state":{"owner":"\(owner)","state":"\(escrowState)","transferred":[],"settled_at":"\(settledAt)","funds":[\(coins)],"deposits":[]}}}
        """
    }

    /// A `blocks/latest` body with both `block` and `sdk_block`, as Cosmos SDK 0.47+ answers.
    public static func latestBlock(height: Int64, time: String = "2026-07-17T20:07:00Z") -> String {
        """
        {"block_id":{"hash":"","part_set_header":{"total":1,"hash":""}},\
        "block":{"header":{"chain_id":"akashnet-2","height":"\(height)","time":"\(time)"}},\
        "sdk_block":{"header":{"chain_id":"akashnet-2","height":"\(height)","time":"\(time)"}}}
        """
    }
}
