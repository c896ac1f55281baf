import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The real upstream client: URLSession (libcurl on Linux) with the limits a poller needs.
///
/// - The whole request, connect to last byte, must finish within `UpstreamRequest.timeout` (URLSession's own
///   `timeoutInterval` only measures idle time, so a server trickling bytes would never time out).
/// - The body is counted while it streams in and the transfer is cancelled past `maxBodyBytes`, so a 20 MB answer
///   never sits in memory.
/// - HTTP error statuses are returned, not thrown; only transport problems throw.
/// - Error messages name the host and path, never a header: the CoinMarketCap key travels in one.
/// - Ephemeral session: no cookies, no cache, nothing written to disk.
public final class URLSessionUpstream: UpstreamFetching {
    private let session: URLSession
    private let transfers: TransferDelegate

    public init(userAgent: String? = nil) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        if let userAgent { configuration.httpAdditionalHeaders = ["User-Agent": userAgent] }
        transfers = TransferDelegate()
        session = URLSession(configuration: configuration, delegate: transfers, delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    public func fetch(_ request: UpstreamRequest) async throws(SourceFailure) -> UpstreamResponse {
        let target = Self.describe(request.url)
        guard !Task.isCancelled else { throw SourceFailure(.connection, "GET \(target): cancelled") }
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = "GET"
        // libcurl truncates this to whole seconds (0.5 s would become 0); our own timer below enforces the real
        // deadline, so this is only a backstop.
        urlRequest.timeoutInterval = request.timeout + 60
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }

        let task = session.dataTask(with: urlRequest)
        let transfer = Transfer(target: target, maxBodyBytes: request.maxBodyBytes, timeout: request.timeout)
        // Registered before anything can cancel the task, so its completion always finds the transfer.
        transfers.register(transfer, for: task)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.onFinish(continuation)
                task.resume()
                DispatchQueue.global().asyncAfter(deadline: .now() + request.timeout) { [weak task] in
                    if transfer.expire() { task?.cancel() }
                }
            }
        } onCancel: {
            task.cancel()
        }
        return try result.get()
    }

    /// `host:port/path`, what an error message may say about a request (no query, no headers).
    static func describe(_ url: URL) -> String {
        (url.host ?? "?") + (url.port.map { ":\($0)" } ?? "") + url.path
    }
}

/// One transfer in flight: the bytes so far, and the failure decided by our own limits (which takes precedence
/// over the `cancelled` error URLSession reports after we cancel it).
private final class Transfer: Sendable {
    private struct State {
        var response: HTTPURLResponse?
        var body = Data()
        var failure: SourceFailure?
        var continuation: CheckedContinuation<Result<UpstreamResponse, SourceFailure>, Never>?
        var finished = false
        /// The outcome, kept only when the transfer ended (cancelled early) before anyone waited for it.
        var unclaimed: Result<UpstreamResponse, SourceFailure>?
    }

    let target: String
    let maxBodyBytes: Int
    let timeout: Double
    private let state = Mutex(State())

    init(target: String, maxBodyBytes: Int, timeout: Double) {
        self.target = target
        self.maxBodyBytes = maxBodyBytes
        self.timeout = timeout
    }

    func onFinish(_ continuation: CheckedContinuation<Result<UpstreamResponse, SourceFailure>, Never>) {
        let unclaimed = state.withLock { state in
            defer { state.unclaimed = nil }
            if !state.finished { state.continuation = continuation }
            return state.unclaimed
        }
        if let unclaimed { continuation.resume(returning: unclaimed) }
    }

    /// Headers arrived. False when the announced length is already over the limit.
    func receive(_ response: URLResponse) -> Bool {
        state.withLock { state in
            state.response = response as? HTTPURLResponse
            guard response.expectedContentLength <= Int64(maxBodyBytes) else {
                state.failure = tooLarge
                return false
            }
            return true
        }
    }

    /// A piece of the body. False (cancel the transfer) once the body passes the limit.
    func receive(_ data: Data) -> Bool {
        state.withLock { state in
            guard state.failure == nil else { return false }
            guard state.body.count + data.count <= maxBodyBytes else {
                state.failure = tooLarge
                state.body = Data()
                return false
            }
            state.body.append(data)
            return true
        }
    }

    /// The whole-request deadline passed. True when the transfer was still running and must be cancelled.
    func expire() -> Bool {
        state.withLock { state in
            guard !state.finished, state.failure == nil else { return false }
            state.failure = SourceFailure(.timeout, "GET \(target): no complete answer within \(DurationParser.format(timeout))")
            return true
        }
    }

    func complete(_ error: (any Error)?) {
        let (continuation, outcome) = state.withLock { state in
            let outcome = self.outcome(state, error)
            state.finished = true
            // The deadline timer keeps this object alive until it fires; the body need not stay with it.
            state.body = Data()
            if state.continuation == nil { state.unclaimed = outcome }
            defer { state.continuation = nil }
            return (state.continuation, outcome)
        }
        continuation?.resume(returning: outcome)
    }

    private func outcome(_ state: State, _ error: (any Error)?) -> Result<UpstreamResponse, SourceFailure> {
        if let failure = state.failure { return .failure(failure) }
        if let error { return .failure(transportFailure(error)) }
        guard let response = state.response else {
            return .failure(SourceFailure(.connection, "GET \(target): no HTTP response"))
        }
        var headers: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        // libcurl does not always report a body that ends before its Content-Length; a cut-off body must never
        // reach a decoder as if it were whole. (With Content-Encoding the length counts compressed bytes.)
        let announced = response.expectedContentLength
        if announced > 0, headers["content-encoding"] == nil, Int64(state.body.count) < announced {
            return .failure(SourceFailure(.connection, "GET \(target): body cut off after \(state.body.count) of \(announced) bytes"))
        }
        return .success(UpstreamResponse(status: response.statusCode, headers: headers, body: state.body))
    }

    private var tooLarge: SourceFailure {
        SourceFailure(.decode, "GET \(target): body larger than \(maxBodyBytes) bytes")
    }

    /// Transport errors by reason. The message is our own wording: URLSession's descriptions and user info carry
    /// the URL and could grow to carry more, so none of their text is copied.
    private func transportFailure(_ error: any Error) -> SourceFailure {
        let raw = (error as? URLError)?.errorCode ?? (error as NSError).code
        let code = URLError.Code(rawValue: raw) ?? .unknown
        let what: String
        switch code {
        case .timedOut:
            return SourceFailure(.timeout, "GET \(target): timed out after \(DurationParser.format(timeout))")
        case .cannotConnectToHost: what = "connection refused"
        case .cannotFindHost, .dnsLookupFailed: what = "cannot resolve host"
        case .networkConnectionLost: what = "connection lost"
        case .notConnectedToInternet: what = "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            what = "TLS handshake failed"
        case .badServerResponse, .zeroByteResource, .cannotParseResponse: what = "malformed HTTP response"
        case .cancelled: what = "cancelled"
        case .httpTooManyRedirects, .redirectToNonExistentLocation: what = "redirect loop or dead redirect"
        default: what = "transport error \(raw)"
        }
        return SourceFailure(.connection, "GET \(target): \(what)")
    }
}

/// Routes URLSession's per-task callbacks to the `Transfer` each task belongs to.
private final class TransferDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let transfers = Mutex<[Int: Transfer]>([:])

    func register(_ transfer: Transfer, for task: URLSessionTask) {
        transfers.withLock { $0[task.taskIdentifier] = transfer }
    }

    private func transfer(_ task: URLSessionTask) -> Transfer? {
        transfers.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        completionHandler(transfer(dataTask)?.receive(response) == false ? .cancel : .allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if transfer(dataTask)?.receive(data) == false { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let finished = transfers.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        finished?.complete(error)
    }
}
