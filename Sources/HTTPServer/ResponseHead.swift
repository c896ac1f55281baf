/// Writes response heads. The server owns the framing headers (`Content-Length`, `Connection`): a handler's
/// own are dropped so a response can never announce a length it does not have.
enum ResponseHead {
    enum ConnectionHeader {
        /// HTTP/1.1 keep-alive is the default: nothing to say.
        case none
        case close
        /// An HTTP/1.0 client that asked to keep the connection is told it is kept.
        case keepAlive
    }

    /// Appends the head to `buffer` (a loop's reused buffer, so building a head allocates nothing).
    static func write(into buffer: inout [UInt8], status: Int, headers: [(name: String, value: String)],
                      contentLength: Int, connection: ConnectionHeader) {
        append(statusLine(status), to: &buffer)
        for header in headers where !isFramingHeader(header.name) {
            buffer.append(contentsOf: header.name.utf8)
            buffer.append(UInt8(ascii: ":"))
            buffer.append(UInt8(ascii: " "))
            buffer.append(contentsOf: header.value.utf8)
            buffer.append(UInt8(ascii: "\r"))
            buffer.append(UInt8(ascii: "\n"))
        }
        append("Content-Length: ", to: &buffer)
        appendDecimal(contentLength, to: &buffer)
        switch connection {
        case .none: append("\r\n\r\n", to: &buffer)
        case .close: append("\r\nConnection: close\r\n\r\n", to: &buffer)
        case .keepAlive: append("\r\nConnection: keep-alive\r\n\r\n", to: &buffer)
        }
    }

    static func statusLine(_ status: Int) -> StaticString {
        switch status {
        case 200: "HTTP/1.1 200 OK\r\n"
        case 204: "HTTP/1.1 204 No Content\r\n"
        case 301: "HTTP/1.1 301 Moved Permanently\r\n"
        case 302: "HTTP/1.1 302 Found\r\n"
        case 304: "HTTP/1.1 304 Not Modified\r\n"
        case 400: "HTTP/1.1 400 Bad Request\r\n"
        case 401: "HTTP/1.1 401 Unauthorized\r\n"
        case 403: "HTTP/1.1 403 Forbidden\r\n"
        case 404: "HTTP/1.1 404 Not Found\r\n"
        case 405: "HTTP/1.1 405 Method Not Allowed\r\n"
        case 406: "HTTP/1.1 406 Not Acceptable\r\n"
        case 429: "HTTP/1.1 429 Too Many Requests\r\n"
        case 431: "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        case 500: "HTTP/1.1 500 Internal Server Error\r\n"
        case 502: "HTTP/1.1 502 Bad Gateway\r\n"
        case 503: "HTTP/1.1 503 Service Unavailable\r\n"
        case 505: "HTTP/1.1 505 HTTP Version Not Supported\r\n"
        case 100..<200: "HTTP/1.1 500 Internal Server Error\r\n"  // interim responses are not final: a handler bug
        case 200..<300: "HTTP/1.1 200 OK\r\n"
        case 300..<400: "HTTP/1.1 302 Found\r\n"
        case 400..<500: "HTTP/1.1 400 Bad Request\r\n"
        default: "HTTP/1.1 500 Internal Server Error\r\n"
        }
    }

    private static func isFramingHeader(_ name: String) -> Bool {
        ASCII.equalsIgnoringCase(name, "content-length") || ASCII.equalsIgnoringCase(name, "connection")
            || ASCII.equalsIgnoringCase(name, "transfer-encoding")
    }

    private static func append(_ text: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var remaining = max(0, value)
            var start = scratch.count
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            buffer.append(contentsOf: scratch[start...])
        }
    }
}
