/// Request and response values of the HTTP server. The server knows nothing of what it serves: a handler
/// maps a parsed request to a response.

public enum HTTPVersion: Sendable, Equatable {
    case http10
    case http11
}

/// A parsed request head (GET and HEAD carry no body here).
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The path without the query, e.g. `/metrics`.
    public var path: String
    /// The raw query after `?`, if any.
    public var query: String?
    public var version: HTTPVersion
    /// Header fields in arrival order; names as sent.
    public var headers: [(name: String, value: String)]

    public init(method: String, path: String, query: String? = nil, version: HTTPVersion = .http11,
                headers: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.version == rhs.version
            && lhs.headers.elementsEqual(rhs.headers, by: { $0.name == $1.name && $0.value == $1.value })
    }
}

/// A response. `body` is shared, not copied, between the responses that send the same bytes (an `Array` is
/// copy-on-write), so a cached exposition costs nothing per scrape.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, contentType: String, body: String) {
        self.init(status: status, headers: [("Content-Type", contentType)], body: Array(body.utf8))
    }
}

/// Maps a request to a response. Called on the server's event-loop threads: it must not block.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse
}
