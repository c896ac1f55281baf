/// The answers the server gives itself, before or instead of the handler.
enum ServerResponses {
    private static func plain(_ status: Int, _ text: String, _ extra: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + extra, body: Array(text.utf8))
    }

    static let badRequest = plain(400, "Bad Request\n")
    static let methodNotAllowed = plain(405, "Method Not Allowed\n", [("Allow", "GET, HEAD")])
    static let headersTooLarge = plain(431, "Request Header Fields Too Large\n")
    static let versionNotSupported = plain(505, "HTTP Version Not Supported\n")
    static let overCapacity = plain(503, "Service Unavailable: too many connections\n")
    static let tooManyRequests = plain(429, "Too Many Requests\n")
    /// New credentials while the bcrypt workers are saturated: refused without being checked, to be sent again.
    static let verificationOverload = plain(429, "Too Many Requests: too many credentials waiting to be checked\n",
                                            [("Retry-After", "1")])

    static func unauthorized(realm: String) -> HTTPResponse {
        plain(401, "Unauthorized\n", [("WWW-Authenticate", "Basic realm=\"\(realm)\"")])
    }

    static func forInvalidRequest(status: Int) -> HTTPResponse {
        switch status {
        case 405: methodNotAllowed
        case 431: headersTooLarge
        case 505: versionNotSupported
        default: badRequest
        }
    }

    /// Sent in plain text to a client that spoke plain HTTP to the TLS port (Go's servers say the same).
    static let plainHTTPOnTLSBytes: [UInt8] = {
        let text = plain(400, "Client sent an HTTP request to an HTTPS server.\n")
        var bytes: [UInt8] = []
        ResponseHead.write(into: &bytes, status: 400, headers: text.headers, contentLength: text.body.count, connection: .close)
        return bytes + text.body
    }()

    /// The over-capacity answer as bytes, sent straight from the accept path.
    static let overCapacityBytes: [UInt8] = {
        var bytes: [UInt8] = []
        ResponseHead.write(into: &bytes, status: 503, headers: overCapacity.headers,
                           contentLength: overCapacity.body.count, connection: .close)
        return bytes + overCapacity.body
    }()
}
