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

    /// The first value of a header, matched case-insensitively (ASCII, as header names are).
    public func header(_ name: String) -> String? {
        headers.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// Whether the client takes `coding` (e.g. gzip) per its `Accept-Encoding`: named, or `*`, without `q=0`.
    public func accepts(encoding coding: String) -> Bool {
        var accepted = false
        for field in headers where ASCII.equalsIgnoringCase(field.name, "accept-encoding") {
            for option in field.value.utf8.split(separator: UInt8(ascii: ",")) {
                let parts = option.split(separator: UInt8(ascii: ";"))
                guard let name = parts.first.map({ ASCII.trimmingWhitespace($0) }) else { continue }
                guard ASCII.equalsIgnoringCase(name, coding.utf8) || name.elementsEqual("*".utf8) else { continue }
                let refused = parts.dropFirst().contains { parameter in
                    let text = String(decoding: parameter.filter { !ASCII.isWhitespace($0) }, as: UTF8.self)
                    return text.hasPrefix("q=") && (Double(text.dropFirst(2)) ?? 1) == 0
                }
                // An explicit refusal of the coding wins over `*`.
                if refused && !name.elementsEqual("*".utf8) { return false }
                if !refused { accepted = true }
            }
        }
        return accepted
    }

    /// Whether the client lets the connection stay open after this request: HTTP/1.1 unless it says
    /// `Connection: close`, HTTP/1.0 only when it says `Connection: keep-alive`.
    public var keepAlive: Bool {
        var close = false
        var keepAlive = false
        for field in headers where ASCII.equalsIgnoringCase(field.name, "connection") {
            for option in field.value.utf8.split(separator: UInt8(ascii: ",")) {
                let token = ASCII.trimmingWhitespace(option)
                if ASCII.equalsIgnoringCase(token, "close".utf8) { close = true }
                if ASCII.equalsIgnoringCase(token, "keep-alive".utf8) { keepAlive = true }
            }
        }
        switch version {
        case .http11: return !close
        case .http10: return keepAlive && !close
        }
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

/// Byte-level helpers for header names and tokens, which are ASCII: no `lowercased()` allocation per compare.
enum ASCII {
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    static func equalsIgnoringCase<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { lower($0) == lower($1) }
    }

    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        equalsIgnoringCase(a.utf8, b.utf8)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    static func trimmingWhitespace<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> C.SubSequence {
        var slice = bytes[...]
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return slice
    }
}
