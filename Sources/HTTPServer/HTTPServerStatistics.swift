import Synchronization

/// Counters the server keeps about what it refused, for the application to export as it names its metrics (the
/// server knows nothing of metrics). Shared by reference: create one, put it in the configuration, read it any time.
public final class HTTPServerStatistics: Sendable {
    /// Why a request needing credentials was not served.
    public enum AuthRejection: String, Sendable, CaseIterable {
        /// 401: no credentials, malformed ones, an unknown user or a wrong password.
        case wrongCredentials = "wrong_credentials"
        /// 429: too many credentials were waiting for bcrypt; this new one was not checked.
        case overload
    }

    private let wrongCredentials = Atomic<Int>(0)
    private let overload = Atomic<Int>(0)

    public init() {}

    /// Requests refused for `reason` since the start.
    public func authRejections(_ reason: AuthRejection) -> Int {
        switch reason {
        case .wrongCredentials: wrongCredentials.load(ordering: .relaxed)
        case .overload: overload.load(ordering: .relaxed)
        }
    }

    func countAuthRejection(_ reason: AuthRejection) {
        switch reason {
        case .wrongCredentials: wrongCredentials.add(1, ordering: .relaxed)
        case .overload: overload.add(1, ordering: .relaxed)
        }
    }
}
