import Foundation
@testable import AkashExporter
import ExporterKit
import TestSupport

/// Every registered source as the fault tests see it, from its declaration (`SourceRegistry.all`) and its entry
/// in the tests' table (`Recorded.sources`): which series only its data fills, and what an empty answer means for
/// it. There is no hand list: a source on the registry is in the matrix.
struct SourceUnderTest: Sendable, CustomStringConvertible {
    let declaration: Source
    let recorded: RecordedSource

    init(_ declaration: Source) {
        self.declaration = declaration
        recorded = Recorded.of(declaration)
    }

    var name: String { declaration.name }
    var api: UpstreamAPI { declaration.api }
    /// Path on the fake upstream, prefix included: the first one the source calls.
    var path: String { Recorded.api(api).prefix + recorded.routes[0].path }
    /// The recorded healthy body (cut in half for the truncation fault).
    var fixture: String { recorded.routes[0].body }
    /// Prefixes of the sample lines filled from this source's data alone.
    var series: [String] { recorded.series }
    /// The upstream's form of "nothing": an empty `data`, list or object.
    var emptyBody: String { recorded.emptyBody }
    var empty: RecordedSource.EmptyAnswer { recorded.emptyAnswer }
    /// The flag of the whole-request timeout this source's requests get.
    var timeoutFlag: String { "--" + declaration.timeoutFlag.name }

    var description: String { name }

    /// The other sources that make one of this source's requests too (`akash_block_time` asks for the latest block,
    /// as `akash_block` does): breaking that request may take them down with it.
    var sharingRequests: Set<String> {
        let mine = Set(recorded.routes.map(\.target))
        return Set(Self.all.filter { $0.name != name && !mine.isDisjoint(with: $0.recorded.routes.map(\.target)) }.map(\.name))
    }

    static let all = SourceRegistry.all.map(SourceUnderTest.init).filter(\.recorded.inFaultMatrix)

    static func named(_ name: String) -> SourceUnderTest {
        all.first { $0.name == name }!
    }
}

extension UpstreamAPI {
    /// The flag pointing the API at a fake, and where `AppFakes` serves it.
    func urlFlag(_ fake: FakeUpstream) -> String {
        "--\(urlFlag)=\(fake.baseURL.absoluteString)\(Recorded.api(self).prefix)"
    }
}

/// The faults every source is put through, and the failure reason each must be counted under.
enum UpstreamFault: String, Sendable, CaseIterable, CustomStringConvertible {
    case tooManyRequests = "HTTP 429 with Retry-After"
    case unauthorized = "HTTP 401"
    case serverError = "HTTP 500"
    case noAnswer = "accepts and never answers"
    case cutOff = "body cut off half-way"
    case wrongShape = "valid JSON of the wrong shape"
    case huge = "20 MB body"

    var description: String { rawValue }

    /// The expected `reason` label: the table the report repeats.
    var reason: FailureReason {
        switch self {
        case .tooManyRequests: .rateLimited
        case .unauthorized: .auth
        case .serverError: .http
        case .noAnswer: .timeout
        // The transport could not deliver a whole answer; nothing reached the decoder.
        case .cutOff: .connection
        case .wrongShape: .decode
        // Refused past the body limit (16 MB; 32 MB for /v1/providers, whose 20 MB is then not the right JSON).
        case .huge: .decode
        }
    }

    func reply(for source: SourceUnderTest) -> FakeReply {
        switch self {
        case .tooManyRequests: .status(429, body: Data("slow down\n".utf8), headers: ["Retry-After": "120"])
        case .unauthorized: .status(401, body: Data("unauthorized\n".utf8))
        case .serverError: .status(500, body: Data("internal error\n".utf8))
        case .noAnswer: .hang
        case .cutOff: .truncated(try! Fixtures.data(source.fixture))
        case .wrongShape: .json(Data(#"{"unexpected":[1,2,3],"status":"ok"}"#.utf8))
        case .huge: .large(bytes: 20 << 20)
        }
    }

    /// Flags the fault needs: a short timeout for the upstream that never answers (only the broken source's
    /// timeout flag, so that a loaded machine cannot time out a healthy source of another area).
    func flags(for source: SourceUnderTest) -> [String] {
        // Short, yet long enough that the healthy requests of the sources sharing the flag (six on the chain) finish
        // in time on a machine busy with the other cases.
        self == .noAnswer ? ["\(source.timeoutFlag)=5s"] : []
    }
}

extension FakeReply {
    /// A recorded CoinMarketCap error body (`Tests/Fixtures/cmc/error-<code>.json`) with its HTTP status.
    static func cmcError(_ code: Int, status: Int, headers: [String: String] = [:]) -> FakeReply {
        .json(try! Fixtures.data("cmc/error-\(code).json"), status: status, headers: headers)
    }
}
