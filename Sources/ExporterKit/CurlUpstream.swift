import CCurl
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The real upstream client: libcurl's easy interface, with the limits a poller needs.
///
/// - The whole request, connect to last byte, must finish within `UpstreamRequest.timeout` (`CURLOPT_TIMEOUT_MS`),
///   so a server trickling bytes still times out.
/// - Compressed answers are asked for (every encoding this libcurl decodes: gzip, deflate, br, zstd) and decoded
///   while they stream in. The body limit counts decoded bytes, so a small compressed body that inflates past
///   `maxBodyBytes` (a decompression bomb) is refused as too large without ever sitting in memory whole.
///   `UpstreamResponse.wireBytes` reports what actually crossed the network.
/// - HTTP error statuses are returned, not thrown; only transport problems throw. Redirects are not followed: the
///   CoinMarketCap key travels in a header, which libcurl would send on to whatever host a redirect names.
/// - TLS certificates and host names are verified, unless a pinned request says not to (`PinnedAddress`: a
///   provider gateway's self-signed certificate; such a request connects to its checked address only, over
///   https, without a proxy). `https_proxy`, `http_proxy` (lower case only, as libcurl
///   reads it), `all_proxy` and `no_proxy` from the environment are honoured.
/// - No cookies, no cache, nothing written to disk. Error messages name the host and path, never a header.
/// - Connections are kept open between polls: idle handles are pooled per origin, and each keeps its own
///   connections (libcurl does not support sharing live connections between threads).
/// - libcurl blocks, so each transfer runs on the thread of its handle, never on the cooperative pool. Cancelling the calling task aborts the transfer from
///   libcurl's progress callback, which runs at least about once a second even while nothing arrives.
public final class CurlUpstream: UpstreamFetching {
    /// Idle handles kept per origin; more than this many concurrent requests to one host make short-lived ones.
    private static let idlePerOrigin = 4
    /// libcurl loaded and its global state set up, once, before the first handle: nil, or why not.
    private static let loadError: String? = {
        var message = [CChar](repeating: 0, count: 512)
        return ccurl_load(&message, message.count) == 0 ? nil : String(decoding: message.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }()

    /// Loads libcurl now; call it at start-up, before other threads (see CCurl.h), to fail early with the reason
    /// (`libcurl.so.4: cannot open shared object file...`) rather than with every poll.
    public static func load() throws(SourceFailure) {
        if let loadError { throw SourceFailure(.connection, "cannot load libcurl: \(loadError)") }
    }

    private let userAgent: String?
    private let idle = Mutex<[String: [EasyHandle]]>([:])

    public init(userAgent: String? = nil) {
        self.userAgent = userAgent
        _ = Self.loadError
    }

    public func fetch(_ request: UpstreamRequest) async throws(SourceFailure) -> UpstreamResponse {
        let target = Self.describe(request.url)
        guard !Task.isCancelled else { throw SourceFailure(.connection, "GET \(target): cancelled") }
        if let loadError = Self.loadError { throw SourceFailure(.connection, "GET \(target): cannot load libcurl: \(loadError)") }
        let origin = Self.origin(request.url)
        let handle = takeHandle(origin)
        let transfer = Transfer(request: request, target: target)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                handle.run {
                    let result = transfer.perform(on: handle.curl, userAgent: self.userAgent)
                    self.giveBack(handle, origin)
                    continuation.resume(returning: result)
                }
            }
        } onCancel: {
            transfer.cancel()
        }
        return try result.get()
    }

    private func takeHandle(_ origin: String) -> EasyHandle {
        idle.withLock { $0[origin]?.popLast() } ?? EasyHandle()
    }

    private func giveBack(_ handle: EasyHandle, _ origin: String) {
        let kept = idle.withLock { idle in
            guard idle[origin, default: []].count < Self.idlePerOrigin else { return false }
            idle[origin, default: []].append(handle)
            return true
        }
        if !kept { handle.retire() }
    }

    deinit {
        for handle in idle.withLock({ $0.values.joined() }) { handle.retire() }
    }

    /// `host:port/path`, what an error message may say about a request (no query, no headers).
    static func describe(_ url: URL) -> String {
        (url.host ?? "?") + (url.port.map { ":\($0)" } ?? "") + url.path
    }

    private static func origin(_ url: URL) -> String {
        "\(url.scheme ?? "")://\(url.host ?? ""):\(url.port ?? -1)"
    }
}

/// One libcurl easy handle and the thread its transfers block on, one transfer at a time. A thread of its own rather
/// than a dispatch queue: libdispatch on Linux adds a thread for a blocked queue only after about a second, which
/// delayed the first polls when many started together.
private final class EasyHandle: @unchecked Sendable {
    let curl: UnsafeMutableRawPointer
    /// The next job, or nil to end the thread.
    private let jobs = Mutex<[(@Sendable () -> Void)?]>([])
    private let wake = DispatchSemaphore(value: 0)

    init() {
        guard let curl = ccurl_easy_init() else { fatalError("libcurl: cannot allocate an easy handle") }
        self.curl = curl
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<EasyHandle>.fromOpaque(context!).takeRetainedValue().work()
            return nil
        }, context)
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
    }

    deinit {
        ccurl_easy_cleanup(curl)
    }

    /// Runs `job` on this handle's thread.
    func run(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        wake.signal()
    }

    /// Ends the thread once the jobs before are done; the handle is freed with it.
    func retire() {
        jobs.withLock { $0.append(nil) }
        wake.signal()
    }

    private func work() {
        while true {
            wake.wait()
            guard let job = jobs.withLock({ $0.removeFirst() }) else { return }
            job()
        }
    }
}

/// One request in flight. Everything but `cancelled` is touched only by the thread running `perform`.
private final class Transfer: @unchecked Sendable {
    let request: UpstreamRequest
    let target: String
    private let cancelled = Atomic<Bool>(false)
    private var status = 0
    private var headers: [String: String] = [:]
    private var body = Data()
    /// A limit of ours that stopped the transfer; it takes precedence over the error libcurl then reports.
    private var failure: SourceFailure?

    init(request: UpstreamRequest, target: String) {
        self.request = request
        self.target = target
    }

    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    func perform(on curl: UnsafeMutableRawPointer, userAgent: String?) -> Result<UpstreamResponse, SourceFailure> {
        if cancelled.load(ordering: .relaxed) { return .failure(fail("cancelled")) }
        ccurl_easy_reset(curl)
        ccurl_use_share(curl)
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            headerList = ccurl_slist_append(headerList, "\(name): \(value)")
        }
        defer { ccurl_slist_free_all(headerList) }

        let context = Unmanaged.passUnretained(self).toOpaque()
        ccurl_set_string(curl, CURLOPT_URL, request.url.absoluteString)
        ccurl_set_long(curl, CURLOPT_HTTPGET, 1)
        ccurl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        ccurl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        ccurl_set_long(curl, CURLOPT_TIMEOUT_MS, max(1, Int((request.timeout * 1000).rounded())))
        ccurl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        ccurl_set_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_set_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
        var connectTo: UnsafeMutablePointer<curl_slist>?
        defer { ccurl_slist_free_all(connectTo) }
        if let pinned = request.pinned {
            // Any host and port of this request connects to the checked address (`::ADDRESS:PORT`), so libcurl
            // never resolves the name; an empty proxy overrides the environment's.
            let port = request.url.port ?? 443
            let address = pinned.address.contains(":") ? "[\(pinned.address)]" : pinned.address
            connectTo = ccurl_slist_append(nil, "::\(address):\(port)")
            ccurl_set_connect_to(curl, connectTo)
            ccurl_set_string(curl, CURLOPT_PROXY, "")
            ccurl_set_string(curl, CURLOPT_PROTOCOLS_STR, "https")
            if !pinned.verifiesCertificate {
                ccurl_set_long(curl, CURLOPT_SSL_VERIFYPEER, 0)
                ccurl_set_long(curl, CURLOPT_SSL_VERIFYHOST, 0)
            }
        }
        // Empty string: every encoding this libcurl was built to decode, in its Accept-Encoding header.
        ccurl_set_string(curl, CURLOPT_ACCEPT_ENCODING, "")
        if let userAgent { ccurl_set_string(curl, CURLOPT_USERAGENT, userAgent) }
        ccurl_set_headers(curl, headerList)
        ccurl_set_write_function(curl, { bytes, size, count, context in
            Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().receiveBody(bytes, size * count)
        })
        ccurl_set_pointer(curl, CURLOPT_WRITEDATA, context)
        ccurl_set_header_function(curl, { bytes, size, count, context in
            Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().receiveHeader(bytes, size * count)
        })
        ccurl_set_pointer(curl, CURLOPT_HEADERDATA, context)
        ccurl_set_long(curl, CURLOPT_NOPROGRESS, 0)
        ccurl_set_progress_function(curl, { context, _, _, _, _ in
            Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().cancelled.load(ordering: .relaxed) ? 1 : 0
        })
        ccurl_set_pointer(curl, CURLOPT_XFERINFODATA, context)

        let code = ccurl_easy_perform(curl)
        defer { body = Data() }
        if let failure { return .failure(failure) }
        guard code == CURLE_OK else { return .failure(transportFailure(code, curl)) }
        return .success(UpstreamResponse(status: ccurl_response_code(curl), headers: headers, body: body,
                                         wireBytes: Int(ccurl_wire_body_bytes(curl))))
    }

    /// One header line. A status line starts a new header block (an interim 1xx answer, a proxy's CONNECT
    /// answer), so only the final response's headers are kept.
    private func receiveHeader(_ bytes: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let bytes else { return count }
        let line = String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers = [:]
            status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        } else if let colon = line.firstIndex(of: ":") {
            let value = line[line.index(after: colon)...].drop(while: \.isWhitespace)
            headers[line[..<colon].lowercased()] = String(value.reversed().drop(while: \.isWhitespace).reversed())
        } else if line == "\r\n" || line == "\n" {
            // End of a head: refuse an announced length over the limit before any of the body arrives. With a
            // Content-Encoding the length counts compressed bytes, and the decoded count below decides.
            if headers["content-encoding"] == nil, let length = headers["content-length"].flatMap({ Int($0) }),
               length > request.maxBodyBytes, (200..<300).contains(status) {
                failure = tooLarge
                return 0
            }
        }
        return count
    }

    /// A piece of the decoded body. Returning less than `count` aborts the transfer.
    private func receiveBody(_ bytes: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let bytes else { return count }
        guard body.count + count <= request.maxBodyBytes else {
            failure = tooLarge
            body = Data()
            return 0
        }
        body.append(UnsafeRawBufferPointer(start: bytes, count: count).assumingMemoryBound(to: UInt8.self))
        return count
    }

    private var tooLarge: SourceFailure {
        let decoded = headers["content-encoding"].map { " once decoded from \($0)" } ?? ""
        return SourceFailure(.decode, "GET \(target): body larger than \(request.maxBodyBytes) bytes\(decoded)")
    }

    private func fail(_ what: String) -> SourceFailure {
        SourceFailure(.connection, "GET \(target): \(what)")
    }

    /// Transport errors by reason, in our own words: libcurl's error buffer may quote the URL.
    private func transportFailure(_ code: CURLcode, _ curl: UnsafeMutableRawPointer) -> SourceFailure {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return SourceFailure(.timeout, "GET \(target): no complete answer within \(DurationParser.format(request.timeout))")
        case CURLE_ABORTED_BY_CALLBACK where cancelled.load(ordering: .relaxed):
            return fail("cancelled")
        case CURLE_COULDNT_CONNECT:
            return fail(ccurl_os_errno(curl) == Int(ECONNREFUSED) ? "connection refused" : "cannot connect")
        case CURLE_COULDNT_RESOLVE_HOST: return fail("cannot resolve host")
        case CURLE_COULDNT_RESOLVE_PROXY: return fail("cannot resolve the proxy")
        case CURLE_PARTIAL_FILE:
            return fail("body cut off after \(ccurl_wire_body_bytes(curl)) of \(ccurl_content_length(curl)) bytes")
        case CURLE_GOT_NOTHING: return fail("connection closed without an answer")
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR: return fail("connection lost")
        case CURLE_PEER_FAILED_VERIFICATION: return fail("TLS certificate not trusted")
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE:
            return fail("TLS handshake failed")
        case CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM: return fail("malformed HTTP response")
        case CURLE_BAD_CONTENT_ENCODING:
            return SourceFailure(.decode, "GET \(target): body does not decode as its Content-Encoding says")
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: return fail("not an http or https URL")
        default: return fail("transport error \(code.rawValue)")
        }
    }
}
