/// Why a poll of an upstream failed: the `reason` label of `<namespace>_source_failures_total`. The reasons any
/// upstream can give are here; an application adds those of its own APIs (`credits_exhausted` for CoinMarketCap)
/// as further static members, and lists every reason it exports for the self metrics.
public struct FailureReason: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let timeout = FailureReason(rawValue: "timeout")
    public static let connection = FailureReason(rawValue: "connection")
    public static let http = FailureReason(rawValue: "http")
    public static let rateLimited = FailureReason(rawValue: "rate_limited")
    public static let auth = FailureReason(rawValue: "auth")
    public static let decode = FailureReason(rawValue: "decode")

    /// The reasons of any upstream, in no particular order (the exposition sorts its samples).
    public static let generic: [FailureReason] = [.timeout, .connection, .http, .rateLimited, .auth, .decode]

    public var description: String { rawValue }
}

/// A failed poll. `message` is safe to log: it never holds a secret (keys travel in headers only, and no
/// header is ever copied into a message).
public struct SourceFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: FailureReason
    public var message: String
    /// Seconds to wait before the next attempt when the upstream said so (`Retry-After`, a credit reset).
    public var retryAfter: Double?

    public init(_ reason: FailureReason, _ message: String, retryAfter: Double? = nil) {
        self.reason = reason
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(reason.rawValue): \(message)" }

    /// A decoding failure that names what was being decoded, without echoing the body.
    public static func decode(_ what: String, _ error: any Error) -> SourceFailure {
        SourceFailure(.decode, "cannot decode \(what): \(DecodeErrorSummary.describe(error))")
    }
}

/// Short descriptions of `DecodingError`s: the coding path and the problem, never the input.
public enum DecodeErrorSummary {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: type(of: error)) }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(key.stringValue) at \(path(context))"
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context))"
        case .valueNotFound(let type, let context): return "null where \(type) was expected at \(path(context))"
        case .dataCorrupted(let context): return "malformed JSON at \(path(context))"
        @unknown default: return "undecodable body"
        }
    }
}
