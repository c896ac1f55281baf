import FoundationEssentials
import Synchronization
import ExporterKit

/// Every CoinMarketCap call goes through here: URL (keyed or keyless), the key header, error bodies turned into
/// `SourceFailure`s, and the credits each answer cost counted into the ledger.
struct CoinMarketCapClient: Sendable {
    let baseURL: URL
    let apiKey: CMCAPIKey?
    let timeout: Double
    let state: MarketState
    let keyAlarm: KeyRejectionLog

    /// The only header that ever carries the key.
    static let keyHeader = "X-CMC_PRO_API_KEY"
    /// CoinMarketCap's minute limit resets every 60 s; used when a 429 has no `Retry-After`.
    static let minuteLimitDelay = 60.0

    var isKeyless: Bool { apiKey == nil }
    // `auth` failures need no retry delay here: the source runner retries them rarely on its own.

    /// `GET path?query`, decoded as `data` of type `Payload`.
    func get<Payload: Decodable & Sendable>(_ path: String, query: [(String, String)] = [], as _: Payload.Type,
                                            what: String, _ context: PollContext) async throws(SourceFailure) -> Payload {
        let response = try await context.fetch(request(path, query: query))
        return try read(Payload.self, from: response, what: what, now: context.now)
    }

    /// Source `name`: one GET of `path` whose `data` is kept as decoded (fear & greed, altcoin season, key info).
    func endpoint<Payload: Decodable & Sendable>(_ name: String, path: String, lastGood: LastGood<Payload>,
                                                 interval: @escaping @Sendable () -> Double) -> EndpointSource<Payload> {
        EndpointSource(name: name, request: request(path), interval: interval,
                       lastGood: lastGood) { response, now throws(SourceFailure) in
            try read(Payload.self, from: response, what: name, now: now)
        }
    }

    /// The answer's `data`, or the failure its status and error body describe; counts the credits it cost and
    /// tells the key alarm whether the key was accepted.
    func read<Payload: Decodable & Sendable>(_: Payload.Type, from response: UpstreamResponse, what: String,
                                             now: Date) throws(SourceFailure) -> Payload {
        do throws(SourceFailure) {
            let data = try Self.decode(Payload.self, from: response, what: what, now: now, countCredits: countCredits)
            keyAlarm.accepted()
            return data
        } catch {
            let failure = redactingKey(error)
            // 401 is CoinMarketCap's answer to an invalid or missing key (1001, 1002).
            if response.status == 401 { keyAlarm.rejected(failure) }
            throw failure
        }
    }

    /// Failure messages carry upstream text (`error_message`) into logs and the landing page: a proxy or an
    /// API change that echoes the key must not carry it there.
    private func redactingKey(_ failure: SourceFailure) -> SourceFailure {
        guard let apiKey, failure.message.contains(apiKey.secret) else { return failure }
        var redacted = failure
        redacted.message = failure.message.replacing(apiKey.secret, with: "<redacted>")
        return redacted
    }

    func request(_ path: String, query: [(String, String)] = []) -> UpstreamRequest {
        // Keyless mode: the same paths under /public-api.
        let url = baseURL.appendingAPIPath((isKeyless ? "/public-api" : "") + path, query: query)
        var headers = ["Accept": "application/json"]
        if let apiKey { headers[Self.keyHeader] = apiKey.secret }
        return UpstreamRequest(url: url, headers: headers, timeout: timeout)
    }

    /// Credits are per key: keyless answers are not counted.
    private func countCredits(_ credits: Int, _ now: Date) {
        if !isKeyless { state.addCredits(credits, at: now) }
    }

    /// Turns a response into its `data`, or the failure its status and error body describe.
    static func decode<Payload: Decodable & Sendable>(_: Payload.Type, from response: UpstreamResponse, what: String, now: Date,
                                                      countCredits: (Int, Date) -> Void) throws(SourceFailure) -> Payload {
        let body = response.body
        if (200..<300).contains(response.status) {
            let envelope: CMCEnvelope<Payload>
            do {
                envelope = try JSONDecoder().decode(CMCEnvelope<Payload>.self, from: body)
            } catch {
                // The call was still charged if its status says so.
                if let status = try? JSONDecoder().decode(CMCStatusOnly.self, from: body).status { countCredits(status.creditCount, now) }
                throw SourceFailure.decode(what, error)
            }
            countCredits(envelope.status.creditCount, now)
            if envelope.status.errorCode != 0 {
                throw failure(status: response.status, cmc: envelope.status, response: response, what: what, now: now)
            }
            guard let data = envelope.data else { throw SourceFailure(.decode, "\(what): answer without data") }
            return data
        }
        let status = try? JSONDecoder().decode(CMCStatusOnly.self, from: body).status
        throw failure(status: response.status, cmc: status, response: response, what: what, now: now)
    }

    /// The CoinMarketCap error table (codes 1001...1011, else the HTTP status) as failure reasons.
    static func failure(status: Int, cmc: CMCStatus?, response: UpstreamResponse, what: String, now: Date) -> SourceFailure {
        let code = cmc?.errorCode ?? 0
        let detail = code != 0 ? "\(what): CoinMarketCap error \(code)" + (cmc?.errorMessage.map { ": \(clip($0))" } ?? "")
                               : "\(what): HTTP \(status)"
        switch code {
        case 1001, 1002:
            return SourceFailure(.auth, "\(detail) (the API key from CMC_API_KEY or --cmc.api-key-file is invalid or missing)")
        case 1003...1007:
            return SourceFailure(.auth, "\(detail) (the API key's plan does not allow this call)")
        case 1008, 1011:
            return SourceFailure(.rateLimited, detail, retryAfter: response.retryAfter(now: now) ?? minuteLimitDelay)
        case 1009:
            return SourceFailure(.creditsExhausted, "\(detail) (paused until the daily reset at UTC midnight)",
                                 retryAfter: UTCCalendar.secondsUntilNextDay(from: now))
        case 1010:
            return SourceFailure(.creditsExhausted, "\(detail) (paused until the monthly reset)",
                                 retryAfter: UTCCalendar.secondsUntilNextMonth(from: now))
        default:
            break
        }
        switch status {
        // 403 without a known code: most often a plan without this endpoint (altcoin season on some plans).
        // Treated as `auth`: the key is not allowed this call, and retrying soon will not change that.
        case 401, 402, 403:
            return SourceFailure(.auth, "\(detail) (the API key is not allowed this call)")
        case 429:
            return SourceFailure(.rateLimited, detail, retryAfter: response.retryAfter(now: now) ?? minuteLimitDelay)
        default:
            return SourceFailure(.http, detail)
        }
    }

    /// Error messages come from upstream: keep them to one short line.
    private static func clip(_ message: String) -> String {
        let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 160 ? String(line.prefix(160)) + "..." : line
    }
}

/// One clear log line when CoinMarketCap rejects the key, however many sources hit it: logged once, again only
/// after the key worked in between.
final class KeyRejectionLog: Sendable {
    private let logger: Logger
    private let reported = Mutex(false)

    init(logger: Logger) {
        self.logger = logger
    }

    func rejected(_ failure: SourceFailure) {
        let isFirst = reported.withLock { alreadyReported in
            defer { alreadyReported = true }
            return !alreadyReported
        }
        guard isFirst else { return }
        logger.error("CoinMarketCap rejected the API key: check CMC_API_KEY or --cmc.api-key-file; market sources stay down until it is fixed",
                     ["err": failure.message])
    }

    func accepted() {
        reported.withLock { $0 = false }
    }
}

extension UpstreamAPI {
    /// CoinMarketCap (`--cmc.base-url`); keyless, the same paths under `/public-api`.
    static let coinMarketCap = UpstreamAPI(name: "CoinMarketCap", urlFlag: MarketConfig.baseURLFlag.name)
}

extension FailureReason {
    /// CoinMarketCap's daily or monthly credits are spent (errors 1009, 1010): paused until the reset.
    static let creditsExhausted = FailureReason(rawValue: "credits_exhausted")
}
