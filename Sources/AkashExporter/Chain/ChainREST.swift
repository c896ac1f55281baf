import ExporterKit
import FoundationEssentials

/// The Akash chain REST (LCD, gRPC-gateway) endpoint and the conventions its list endpoints share.
struct ChainREST: Sendable {
    let baseURL: URL
    let timeout: Double

    /// Which side of a lease or bid an address is: the list endpoints filter on `filters.owner` (the tenant) or
    /// `filters.provider`.
    enum Side: String, Sendable {
        case owner, provider

        var filter: String { "filters.\(rawValue)" }
    }

    /// Page size asked for. The gateway's default is 100; asking for more keeps an account with thousands of
    /// leases to a few requests, and a server that caps the page size lower is simply followed page by page.
    static let pageLimit = 1000
    /// A server inventing fresh keys forever would keep a poll going forever; at `pageLimit` per page this is a
    /// million items, far beyond any real account.
    static let maxPages = 1000

    func request(_ path: String, query: [(String, String)] = []) -> UpstreamRequest {
        UpstreamRequest(url: baseURL.appendingAPIPath(path, query: query), timeout: timeout)
    }

    /// Every item of a paginated list: follows `pagination.next_key`, passed back as `pagination.key`
    /// (percent-encoded, since keys are base64 with `+`, `/` and `=`), until the server returns no key.
    ///
    /// A key seen before means the server is looping; the poll then fails with a `decode` failure instead of
    /// spinning. Items are appended page by page, so the work is linear in the number of items.
    /// - Parameter pageLimit: items asked for per page (the network-wide lists ask fewer, smaller bodies).
    func fetchAllPages<Page: ChainPage>(_ page: Page.Type, _ path: String, query: [(String, String)], what: String,
                                        pageLimit: Int = Self.pageLimit,
                                        context: PollContext) async throws(SourceFailure) -> [Page.Item] {
        var items: [Page.Item] = []
        var seenKeys: Set<String> = []
        var key: String?
        for pageNumber in 1...Self.maxPages {
            var pageQuery = query + [("pagination.limit", String(pageLimit))]
            if let key { pageQuery.append(("pagination.key", key)) }
            let page = try await fetchJSON(Page.self, path, query: pageQuery, what: "\(what) (page \(pageNumber))",
                                           context: context)
            items.append(contentsOf: page.items)
            guard let next = page.pagination?.nextKey, !next.isEmpty else { return items }
            guard seenKeys.insert(next).inserted else {
                throw SourceFailure(.decode, "\(what): the server repeated pagination key \(next) on page \(pageNumber)")
            }
            key = next
        }
        throw SourceFailure(.decode, "\(what): still more pages after \(Self.maxPages)")
    }
}

extension ChainREST {
    /// Fetches `path`, requires success (`requireSuccess(_:path:what:)`) and decodes the body as `T`.
    func fetchJSON<T: Decodable>(_ type: T.Type, _ path: String, query: [(String, String)] = [], what: String,
                                 context: PollContext) async throws(SourceFailure) -> T {
        let response = try await context.fetch(request(path, query: query))
        try Self.requireSuccess(response, path: path, what: what)
        return try JSONBody.decode(T.self, from: response.body, what: what)
    }

    /// The generic status check, with the gateway's answer for an API this node does not serve told apart: HTTP 501
    /// with gRPC code 12 (`Unimplemented`), as an old node answers a newer API version or a new node one it dropped.
    static func requireSuccess(_ response: UpstreamResponse, path: String, what: String) throws(SourceFailure) {
        if response.status == 501, let error = try? JSONDecoder().decode(ErrorBody.self, from: response.body),
           error.code == ErrorBody.unimplemented {
            throw SourceFailure(.unsupported, "\(what): the node does not serve \(path) (HTTP 501, gRPC code 12 unimplemented); "
                                    + "point --\(ChainConfig.restURLFlag.name) at a node that runs the current Akash version",
                                retryAfter: unsupportedRetry)
        }
        try response.requireSuccess(what)
    }

    /// A node does not learn a new API between two polls; a load-balanced endpoint may send the next one elsewhere.
    static let unsupportedRetry = 600.0

    /// `{"code": 12, "message": "...", "details": []}`: how the gateway writes a gRPC error.
    struct ErrorBody: Decodable {
        static let unimplemented = 12
        let code: Int
    }
}

extension FailureReason {
    /// The chain node does not serve the API version asked for (HTTP 501, gRPC code 12).
    static let unsupported = FailureReason(rawValue: "unsupported")
}

/// One page of a Cosmos list endpoint.
protocol ChainPage: Decodable, Sendable {
    associatedtype Item: Sendable
    var items: [Item] { get }
    var pagination: PageResponse? { get }
}

/// `cosmos.base.query.v1beta1.PageResponse`: `next_key` is base64 bytes, null or absent on the last page.
struct PageResponse: Decodable, Sendable {
    let nextKey: String?

    enum CodingKeys: String, CodingKey {
        case nextKey = "next_key"
    }
}
