import Foundation
import ExporterKit
import TestSupport

/// Every source of the exporter as the fault tests see it: where it lives on the fake upstream, which series
/// only its data fills, how long they are served, and what an empty answer means for it.
struct SourceUnderTest: Sendable, CustomStringConvertible {
    enum Area: String, Sendable, CaseIterable {
        case market, compute, account

        /// The flag holding the area's base URL, and the path prefix `AppFakes` serves it under.
        var urlFlag: String {
            switch self {
            case .market: "--cmc.base-url"
            case .compute: "--akash.console-url"
            case .account: "--akash.rest-url"
            }
        }

        var prefix: String {
            switch self {
            case .market: "/cmc"
            case .compute: "/console"
            case .account: "/chain"
            }
        }
    }

    /// What an answer with nothing in it does to the source.
    enum EmptyAnswer: Sendable {
        /// The poll fails with this reason and the last good value stays.
        case fails(FailureReason)
        /// A valid answer: the source stays up and its series become exactly these lines.
        case valid([String])
    }

    let name: String
    let area: Area
    /// Path on the fake upstream, prefix included.
    let path: String
    /// The recorded healthy body (cut in half for the truncation fault).
    let fixture: String
    /// Prefixes of the sample lines filled from this source's data alone.
    let series: [String]
    /// Seconds its data is served after the last success: three intervals (see `oneMinutePolls`).
    let maxAge: Double
    /// The upstream's form of "nothing": an empty `data`, list or object.
    let emptyBody: String
    let empty: EmptyAnswer

    var description: String { name }

    /// The flag of the whole-request timeout this source's requests get.
    var timeoutFlag: String {
        switch area {
        case .market: "--cmc.timeout"
        case .compute: name == "akash_gpu_prices" ? "--akash.prices-timeout" : "--akash.console-timeout"
        case .account: "--akash.rest-timeout"
        }
    }

    private static let owner = AppFakes.owner
    private static func cmcEmpty(_ data: String) -> String {
        #"{"status":{"error_code":0,"error_message":null,"credit_count":1},"data":\#(data)}"#
    }

    static let all: [SourceUnderTest] = [
        // `cmc_map` keeps no series of its own: the ids it resolves go to the state file and never expire.
        // An empty list resolves nothing new: a warning names the symbols, and the ids already known stay.
        SourceUnderTest(name: "cmc_map", area: .market, path: "/cmc/v1/cryptocurrency/map", fixture: "cmc/map.json",
                        series: [], maxAge: 0, emptyBody: cmcEmpty("[]"), empty: .valid([])),
        // CoinMarketCap answers 200 with no asset for ids it does not know: nothing to show is a failure.
        SourceUnderTest(name: "cmc_quotes", area: .market, path: "/cmc/v3/cryptocurrency/quotes/latest",
                        fixture: "cmc/quotes-v3.json", series: ["akash_market_"], maxAge: 180,
                        emptyBody: cmcEmpty("[]"), empty: .fails(.decode)),
        SourceUnderTest(name: "cmc_fear_greed", area: .market, path: "/cmc/v3/fear-and-greed/latest",
                        fixture: "cmc/fear-and-greed.json", series: ["akash_macro_fear_greed_index"], maxAge: 180,
                        emptyBody: cmcEmpty("{}"), empty: .fails(.decode)),
        SourceUnderTest(name: "cmc_altcoin_season", area: .market, path: "/cmc/v1/altcoin-season-index/latest",
                        fixture: "cmc/altcoin-season.json", series: ["akash_macro_altcoin_season_index"], maxAge: 180,
                        emptyBody: cmcEmpty("{}"), empty: .fails(.decode)),
        // An empty listing matches no DePIN asset: a count of 0, and no trending series.
        SourceUnderTest(name: "cmc_listings", area: .market, path: "/cmc/v3/cryptocurrency/listings/latest",
                        fixture: "cmc/listings-v3.json", series: ["akash_depin_"], maxAge: 180,
                        emptyBody: cmcEmpty("[]"), empty: .valid(["akash_depin_listed_assets 0"])),
        // Every key-info field is optional: an empty object is accepted and the credits left become unknown
        // (absent, never 0).
        SourceUnderTest(name: "cmc_key_info", area: .market, path: "/cmc/v1/key/info", fixture: "cmc/key-info.json",
                        series: ["akash_exporter_cmc_credits_remaining"], maxAge: 900,
                        emptyBody: cmcEmpty("{}"), empty: .valid([])),
        // No GPU on offer is a valid answer: no GPU series at all.
        SourceUnderTest(name: "akash_gpu_prices", area: .compute, path: "/console/v1/gpu-prices",
                        fixture: "akash/gpu-prices.json", series: ["akash_gpu"], maxAge: 180,
                        emptyBody: #"{"models":[]}"#, empty: .valid([])),
        SourceUnderTest(name: "akash_network_capacity", area: .compute, path: "/console/v1/network-capacity",
                        fixture: "akash/network-capacity.json",
                        series: ["akash_network_", #"akash_providers{state="active"}"#], maxAge: 180,
                        emptyBody: "{}", empty: .fails(.decode)),
        // An empty provider list decodes as zero providers registered.
        SourceUnderTest(name: "akash_providers", area: .compute, path: "/console/v1/providers",
                        fixture: "akash/providers.json",
                        series: [#"akash_providers{state="registered"}"#, #"akash_providers{state="online"}"#,
                                 #"akash_providers{state="audited"}"#], maxAge: 180,
                        emptyBody: "[]",
                        empty: .valid([#"akash_providers{state="audited"} 0"#, #"akash_providers{state="online"} 0"#,
                                       #"akash_providers{state="registered"} 0"#])),
        // A tenant with no active lease: zero leases and zero spend, no lease series; its active deployments
        // (waiting for bids) cost nothing, so their escrow stays whole and has no runway.
        SourceUnderTest(name: "akash_leases", area: .account, path: "/chain/akash/market/v1beta5/leases/list",
                        fixture: "e2e/chain-leases.json",
                        series: ["akash_lease_", "akash_account_", "akash_deployment_"], maxAge: 180,
                        emptyBody: #"{"leases":[],"pagination":{"next_key":null,"total":"0"}}"#,
                        empty: .valid([
                            "akash_account_active_leases{owner=\"\(owner)\"} 0",
                            "akash_account_spend_usd_per_hour{owner=\"\(owner)\"} 0",
                            "akash_deployment_escrow_balance{owner=\"\(owner)\",dseq=\"27650002\",denom=\"uact\"} 150000000",
                            "akash_deployment_escrow_balance{owner=\"\(owner)\",dseq=\"27790001\",denom=\"uact\"} 20000000",
                            "akash_deployment_escrow_balance_usd{owner=\"\(owner)\",dseq=\"27650002\"} 150",
                            "akash_deployment_escrow_balance_usd{owner=\"\(owner)\",dseq=\"27790001\"} 20",
                            "akash_deployment_spend_usd_per_hour{owner=\"\(owner)\",dseq=\"27650002\"} 0",
                            "akash_deployment_spend_usd_per_hour{owner=\"\(owner)\",dseq=\"27790001\"} 0",
                        ])),
        // No active deployment: no escrow series.
        SourceUnderTest(name: "akash_deployments", area: .account, path: "/chain/akash/deployment/v1beta4/deployments/list",
                        fixture: "e2e/chain-deployments.json", series: ["akash_deployment_escrow_"], maxAge: 180,
                        emptyBody: #"{"deployments":[],"pagination":{"next_key":null,"total":"0"}}"#, empty: .valid([])),
        // The escrow projection needs the height.
        SourceUnderTest(name: "akash_block", area: .account, path: "/chain/cosmos/base/tendermint/v1beta1/blocks/latest",
                        fixture: "e2e/chain-block-latest.json", series: ["akash_deployment_escrow_"], maxAge: 180,
                        emptyBody: "{}", empty: .fails(.decode)),
    ]

    static func named(_ name: String) -> SourceUnderTest {
        all.first { $0.name == name }!
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
        self == .noAnswer ? ["\(source.timeoutFlag)=1s"] : []
    }
}

extension FakeReply {
    /// A recorded CoinMarketCap error body (`Tests/Fixtures/cmc/error-<code>.json`) with its HTTP status.
    static func cmcError(_ code: Int, status: Int, headers: [String: String] = [:]) -> FakeReply {
        .json(try! Fixtures.data("cmc/error-\(code).json"), status: status, headers: headers)
    }
}
