#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the parser made of the bytes received so far on a connection.
public enum HTTPParseResult: Sendable, Equatable {
    /// A whole request head; `consumed` bytes belong to it (the next pipelined request starts there).
    case complete(HTTPRequest, consumed: Int)
    /// Not a whole head yet: wait for more bytes.
    case incomplete
    /// Answer with this status and close the connection.
    case invalid(status: Int)
}

/// Parses an HTTP/1.x request head (RFC 9112) from raw bytes. A pure function of its input, so it is tested
/// and fuzzed without sockets.
///
/// Strict where leniency lets requests be read two ways (header folding, whitespace before the colon, bare CR,
/// conflicting `Content-Length`), lenient where it costs nothing: bare `LF` line ends and empty lines before
/// the request line are accepted.
///
/// Requests with a body: this server serves GET and HEAD, which carry none, so it never reads a body. A request
/// that announces one (`Content-Length` > 0 or any `Transfer-Encoding`) is answered and the connection closed:
/// `405` for a method the server does not serve, `400` for GET or HEAD. Reading no body means there is no
/// body framing to get wrong, and nothing unread is taken for the next request.
public enum HTTPRequestParser {
    public static let defaultMaxHeaderBytes = 8192

    public static func parse(_ bytes: [UInt8], maxHeaderBytes: Int = defaultMaxHeaderBytes) -> HTTPParseResult {
        bytes.withUnsafeBytes { parse($0, maxHeaderBytes: maxHeaderBytes) }
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, maxHeaderBytes: Int = defaultMaxHeaderBytes) -> HTTPParseResult {
        guard let start = startOfRequestLine(bytes) else {
            return bytes.count > maxHeaderBytes ? .invalid(status: 431) : .incomplete
        }
        guard let headEnd = endOfHead(bytes, from: start) else {
            if bytes.count - start > maxHeaderBytes { return .invalid(status: 431) }
            // Garbage (a TLS handshake, a binary protocol) is refused now rather than at the read timeout.
            return requestLineCannotBeValid(bytes, from: start) ? .invalid(status: 400) : .incomplete
        }
        if headEnd - start > maxHeaderBytes { return .invalid(status: 431) }
        return parseHead(bytes, start: start, end: headEnd)
    }

    // MARK: - Framing

    /// Skips empty lines sent before the request line (RFC 9112 §2.2); nil while only those have arrived.
    private static func startOfRequestLine(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == LF {
                index += 1
            } else if bytes[index] == CR && index + 1 < bytes.count && bytes[index + 1] == LF {
                index += 2
            } else if bytes[index] == CR && index + 1 == bytes.count {
                return nil
            } else {
                return index
            }
        }
        return nil
    }

    /// The index just past the empty line that ends the head, or nil when it has not arrived.
    private static func endOfHead(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while let lineFeed = firstLineFeed(bytes, from: index) {
            let next = lineFeed + 1
            if next < bytes.count && bytes[next] == LF { return next + 1 }
            if next + 1 < bytes.count && bytes[next] == CR && bytes[next + 1] == LF { return next + 2 }
            index = next
        }
        return nil
    }

    private static func firstLineFeed(_ bytes: UnsafeRawBufferPointer, from index: Int) -> Int? {
        guard index < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + index, Int32(LF), bytes.count - index) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// The end of the line that starts at `start` (without its CR) and the start of the next line.
    private static func line(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (end: Int, next: Int) {
        let lineFeed = firstLineFeed(bytes, from: start)!  // only called inside a head whose end was found
        let end = lineFeed > start && bytes[lineFeed - 1] == CR ? lineFeed - 1 : lineFeed
        return (end, lineFeed + 1)
    }

    private static func requestLineCannotBeValid(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        if let lineFeed = firstLineFeed(bytes, from: start) {
            let end = lineFeed > start && bytes[lineFeed - 1] == CR ? lineFeed - 1 : lineFeed
            if case .invalid = parseRequestLine(bytes, start: start, end: end) { return true }
            return false
        }
        for index in start..<bytes.count {
            if bytes[index] == SP { return index == start }
            if !isTokenByte(bytes[index]) { return true }
        }
        return false
    }

    // MARK: - Head

    private static func parseHead(_ bytes: UnsafeRawBufferPointer, start: Int, end headEnd: Int) -> HTTPParseResult {
        let requestLine = line(bytes, from: start)
        let startLine: RequestLine
        switch parseRequestLine(bytes, start: start, end: requestLine.end) {
        case .valid(let parsed): startLine = parsed
        case .invalid(let status): return .invalid(status: status)
        }

        var headers: [(name: String, value: String)] = []
        var contentLength: Int?
        var hasTransferEncoding = false
        var lineStart = requestLine.next
        while true {
            let (lineEnd, next) = line(bytes, from: lineStart)
            if lineEnd == lineStart { break }  // the empty line that ends the head
            // A line starting with whitespace continues the previous one (obsolete folding): refused.
            if ASCII.isWhitespace(bytes[lineStart]) { return .invalid(status: 400) }
            guard let field = parseField(bytes, start: lineStart, end: lineEnd) else { return .invalid(status: 400) }

            if ASCII.equalsIgnoringCase(bytes[field.name], "content-length".utf8) {
                guard let length = decimal(bytes[field.value]), contentLength == nil || contentLength == length else {
                    return .invalid(status: 400)
                }
                contentLength = length
            } else if ASCII.equalsIgnoringCase(bytes[field.name], "transfer-encoding".utf8) {
                hasTransferEncoding = true
            }
            headers.append((string(bytes, field.name), string(bytes, field.value)))
            lineStart = next
        }

        if hasTransferEncoding || (contentLength ?? 0) > 0 {
            if hasTransferEncoding && contentLength != nil { return .invalid(status: 400) }
            let servedMethod = startLine.method == "GET" || startLine.method == "HEAD"
            return .invalid(status: servedMethod ? 400 : 405)
        }
        let request = HTTPRequest(method: startLine.method, path: startLine.path, query: startLine.query,
                                  version: startLine.version, headers: headers)
        return .complete(request, consumed: headEnd)
    }

    private struct RequestLine {
        var method: String
        var path: String
        var query: String?
        var version: HTTPVersion
    }

    private enum RequestLineResult {
        case valid(RequestLine)
        case invalid(Int)
    }

    /// `method SP request-target SP HTTP-version`, single spaces, nothing else.
    private static func parseRequestLine(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) -> RequestLineResult {
        let line = bytes[start..<end]
        guard let firstSpace = line.firstIndex(of: SP),
              let secondSpace = line[(firstSpace + 1)...].firstIndex(of: SP) else { return .invalid(400) }
        let method = start..<firstSpace
        let target = (firstSpace + 1)..<secondSpace
        let version = (secondSpace + 1)..<end

        guard !method.isEmpty, bytes[method].allSatisfy(isTokenByte) else { return .invalid(400) }
        guard !target.isEmpty, bytes[target].allSatisfy({ $0 > SP && $0 < DEL }) else { return .invalid(400) }
        guard let httpVersion = parseVersion(bytes[version]) else { return .invalid(400) }
        guard let versionValue = httpVersion else { return .invalid(505) }
        guard let (path, query) = splitTarget(bytes[target]) else { return .invalid(400) }

        let methodName = bytes[method].elementsEqual("GET".utf8) ? "GET" : string(bytes, method)
        return .valid(RequestLine(method: methodName, path: path, query: query, version: versionValue))
    }

    /// nil: not an HTTP version at all (400); `.some(nil)`: a well-formed version other than 1.0 and 1.1 (505).
    private static func parseVersion(_ bytes: Slice<UnsafeRawBufferPointer>) -> HTTPVersion?? {
        guard bytes.count == 8 else { return nil }
        let at = { (offset: Int) in bytes[bytes.startIndex + offset] }
        guard bytes.prefix(5).elementsEqual("HTTP/".utf8), isDigit(at(5)), at(6) == UInt8(ascii: "."), isDigit(at(7)) else {
            return nil
        }
        switch (at(5), at(7)) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .some(.http11)
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .some(.http10)
        default: return .some(nil)
        }
    }

    /// Origin form `/path?query`, absolute form `http://host/path?query` (path kept), or `*`.
    private static func splitTarget(_ target: Slice<UnsafeRawBufferPointer>) -> (path: String, query: String?)? {
        var pathStart = target.startIndex
        if target.first == UInt8(ascii: "*") {
            return target.count == 1 ? ("*", nil) : nil
        }
        if target.first != UInt8(ascii: "/") {
            guard let scheme = ["http://", "https://"].first(where: { scheme in
                target.count >= scheme.utf8.count
                    && ASCII.equalsIgnoringCase(target.prefix(scheme.utf8.count), scheme.utf8)
            }) else { return nil }
            let authority = target.dropFirst(scheme.utf8.count)
            guard !authority.isEmpty else { return nil }
            pathStart = authority.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") })
                ?? target.endIndex
        }
        let rest = target[pathStart...]
        let questionMark = rest.firstIndex(of: UInt8(ascii: "?")) ?? rest.endIndex
        let rawPath = rest[..<questionMark]
        let path = rawPath.isEmpty ? "/" : String(decoding: UnsafeRawBufferPointer(rebasing: rawPath), as: UTF8.self)
        let query = questionMark == rest.endIndex ? nil
            : String(decoding: UnsafeRawBufferPointer(rebasing: rest[(questionMark + 1)...]), as: UTF8.self)
        return (path, query)
    }

    /// `name ":" OWS value OWS`; the name is a token (so no whitespace before the colon), the value has no
    /// control characters but tab (so no bare CR, no NUL).
    private static func parseField(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) -> (name: Range<Int>, value: Range<Int>)? {
        guard let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")), colon > start else { return nil }
        let name = start..<colon
        guard bytes[name].allSatisfy(isTokenByte) else { return nil }
        let value = ASCII.trimmingWhitespace(bytes[(colon + 1)..<end])
        guard value.allSatisfy({ $0 == HT || ($0 >= SP && $0 != DEL) }) else { return nil }
        return (name, value.startIndex..<value.endIndex)
    }

    /// A non-negative decimal without sign or spaces, at most 18 digits (no overflow).
    private static func decimal(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy(isDigit) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    // MARK: - Characters (RFC 9110 §5.6.2)

    private static let CR = UInt8(ascii: "\r")
    private static let LF = UInt8(ascii: "\n")
    private static let SP = UInt8(ascii: " ")
    private static let HT = UInt8(ascii: "\t")
    private static let DEL: UInt8 = 0x7F

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// tchar: letters, digits and ``!#$%&'*+-.^_`|~``.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
