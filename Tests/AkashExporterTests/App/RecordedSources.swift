import Foundation
@testable import AkashExporter
import ExporterKit

/// What the tests know of each registered source's upstream, keyed by source name: the recorded bodies that stand
/// for its healthy answers, the upstream's form of "nothing" and what it must give, and the series only its data
/// fills. The product declares what a source calls (`SourceRegistry.all`); this table says what the recordings
/// answer. The fault matrix, the app tests' loopback routing and `scripts/sources.json` are generated from both,
/// and a test fails when a registered source has no entry here.
struct RecordedSource: Sendable {
    /// One request the recordings answer: a path of the declaration, the query parameters that single it out
    /// (`name=value&...`, unencoded: one address's list, or its second page), and the body under `Tests/Fixtures/`.
    /// An entry `!name` says the request carries no parameter of that name at all (a network-wide list is the one
    /// with no address filter).
    struct Route: Sendable {
        let path: String
        let query: String?
        let body: String

        init(_ path: String, query: String? = nil, body: String) {
            self.path = path
            self.query = query
            self.body = body
        }

        private var entries: [Substring] { query.map { $0.split(separator: "&") } ?? [] }

        /// The parameters a request must carry, `name=value` each.
        var parameters: [String] {
            entries.filter { !$0.hasPrefix("!") }.map(String.init)
        }

        /// The names of the parameters a request must not carry.
        var forbidden: [String] {
            entries.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) }
        }

        /// Path and query, values percent-encoded: how a request for it reads (no forbidden name in it).
        var target: String {
            Self.target(path, entries.filter { !$0.hasPrefix("!") })
        }

        /// The route as `scripts/fake_upstream.py` reads it: the target with each forbidden name as `!name`, in the
        /// query's order.
        var scriptKey: String {
            Self.target(path, entries)
        }

        private static func target(_ path: String, _ entries: [Substring]) -> String {
            guard !entries.isEmpty else { return path }
            let encoded = entries.map { parameter in
                if parameter.hasPrefix("!") { return String(parameter) }
                let (name, value) = parameter.firstIndex(of: "=").map { (parameter[..<$0], parameter[parameter.index(after: $0)...]) }
                    ?? (parameter[...], "")
                return name + "=" + URL.percentEncodedQueryValue(String(value))
            }
            return path + "?" + encoded.joined(separator: "&")
        }
    }

    /// What an answer with nothing in it (an empty list or object) does to the source.
    enum EmptyAnswer: Sendable, Equatable {
        /// The poll fails with this reason and the last good value stays.
        case fails(FailureReason)
        /// A valid answer: the source stays up and its series become exactly these sample lines.
        case valid([String])
    }

    /// Every request the source makes against the recordings; the first is the one the fault matrix breaks.
    let routes: [Route]
    /// Prefixes of the sample lines filled from this source's data alone (`akash_gpu`, or a whole series
    /// `akash_providers{state="active"}`); empty for a source that keeps no series of its own.
    let series: [String]
    /// The upstream's form of "nothing": an empty `data`, list or object.
    let emptyBody: String
    let emptyAnswer: EmptyAnswer
    /// Flags the recorded bodies assume, e.g. the owner address whose leases they hold.
    var flags: [String] = []
    /// false: not put through the upstream fault matrix, which breaks a source's first request in a round and
    /// expects it down. The gateway probe reads each `host_uri` hourly, so a round a minute later asks nothing of
    /// the chain; its own tests (Reachability/) cover its failures. It runs, and must stay up, in every app test.
    var inFaultMatrix = true
}

/// Where the loopback fakes serve each API (one server plays every API, each under its prefix), by API name.
struct FakeAPI: Sendable {
    let prefix: String
    /// Further prefixes the script fake serves the same bodies under (CoinMarketCap's keyless `/public-api`).
    var aliases: [String] = []
}

enum Recorded {
    /// The owner whose leases, deployments and bids the recorded chain bodies (`Tests/Fixtures/e2e/`) hold.
    static let owner = "akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c"
    /// The provider whose leases and bids the recorded chain bodies (`Tests/Fixtures/chain/provider-*`) hold.
    static let provider = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"
    static let ownerFlags = ["--akash.owner=\(owner)"]
    /// The providers the reachability view watches with both flags: the recorded provider and the providers of the
    /// recorded owner's leases, sorted.
    static let probedProviders = [provider, "akash1dwulk2y0nh5q4425rlj9wf2d7j2fypsurcwfu4",
                                  "akash1qd9dhx3vhtd87ynfhc8lgc9vepjnv7ugjj5pnz"]
    static let providerFlags = ["--akash.provider=\(provider)"]

    static let apis: [String: FakeAPI] = [
        UpstreamAPI.coinMarketCap.name: FakeAPI(prefix: "/cmc", aliases: ["/cmc/public-api"]),
        UpstreamAPI.akashConsole.name: FakeAPI(prefix: "/console"),
        UpstreamAPI.chainREST.name: FakeAPI(prefix: "/chain"),
    ]

    /// A successful CoinMarketCap answer whose `data` is `data`.
    static func cmcEmpty(_ data: String) -> String {
        #"{"status":{"error_code":0,"error_message":null,"credit_count":1},"data":\#(data)}"#
    }

    /// What sets a network-wide list apart from one owner's or one provider's on the same path: no address filter
    /// at all (whatever the page size).
    static let noAddress = "!filters.owner&!filters.provider"
    /// What the network's paid-price index fills, and the GPU price checks' comparisons with it.
    static let paidSeries = ["akash_gpu_paid_", "akash_gpu_bid_vs_paid_ratio", "akash_lease_gpu_price_vs_paid_ratio",
                             "akash_provider_gpu_price_vs_paid_ratio"]

    /// The kind lines, in the exposition's (sorted) order.
    static func paidKinds(noOffer: Int) -> [String] {
        PaidKind.allCases.map(\.rawValue).sorted().map { kind in
            "akash_gpu_paid_network_leases{kind=\"\(kind)\"} \(kind == "no_offer" ? noOffer : 0)"
        }
    }

    static let emptyLeases = #"{"leases":[],"pagination":{"next_key":null,"total":"0"}}"#
    static let emptyBids = #"{"bids":[],"pagination":{"next_key":null,"total":"0"}}"#

    static let sources: [String: RecordedSource] = [
        // No series of its own: the ids it resolves go to the state file and never expire. An empty list resolves
        // nothing new: a warning names the symbols, and the ids already known stay.
        "cmc_map": .init(routes: [.init(MapSource.path, body: "cmc/map.json")], series: [],
                         emptyBody: cmcEmpty("[]"), emptyAnswer: .valid([])),
        // CoinMarketCap answers 200 with no asset for ids it does not know: nothing to show is a failure.
        "cmc_quotes": .init(routes: [.init(QuotesSource.path, body: "cmc/quotes-v3.json")], series: ["akash_market_"],
                            emptyBody: cmcEmpty("[]"), emptyAnswer: .fails(.decode)),
        "cmc_fear_greed": .init(routes: [.init("/v3/fear-and-greed/latest", body: "cmc/fear-and-greed.json")],
                                series: ["akash_macro_fear_greed_index"], emptyBody: cmcEmpty("{}"), emptyAnswer: .fails(.decode)),
        "cmc_altcoin_season": .init(routes: [.init("/v1/altcoin-season-index/latest", body: "cmc/altcoin-season.json")],
                                    series: ["akash_macro_altcoin_season_index"], emptyBody: cmcEmpty("{}"),
                                    emptyAnswer: .fails(.decode)),
        // An empty listing matches no DePIN asset: a count of 0, and no trending series.
        "cmc_listings": .init(routes: [.init(ListingsSource.path, body: "cmc/listings-v3.json")], series: ["akash_depin_"],
                              emptyBody: cmcEmpty("[]"), emptyAnswer: .valid(["akash_depin_listed_assets 0"])),
        // Every key-info field is optional: an empty object is accepted and the credits left become unknown
        // (absent, never 0).
        "cmc_key_info": .init(routes: [.init(KeyInfoSource.path, body: "cmc/key-info.json")],
                              series: ["akash_exporter_cmc_credits_remaining"], emptyBody: cmcEmpty("{}"), emptyAnswer: .valid([])),

        // No GPU on offer is a valid answer: no GPU series at all.
        // Not every `akash_gpu` series: the paid-price index (`akash_gpu_paid_*`) is the network lists'.
        "akash_gpu_prices": .init(routes: [.init(GPUPrices.path, body: "akash/gpu-prices.json")],
                                  series: ["akash_gpu_bid_price_usd_per_hour", "akash_gpus{", "akash_gpu_providers"],
                                  emptyBody: #"{"models":[]}"#, emptyAnswer: .valid([])),
        "akash_network_capacity": .init(routes: [.init(NetworkCapacity.path, body: "akash/network-capacity.json")],
                                        series: ["akash_network_", #"akash_providers{state="active"}"#], emptyBody: "{}",
                                        emptyAnswer: .fails(.decode)),
        // An empty provider list decodes as zero providers registered.
        "akash_providers": .init(routes: [.init(ProviderList.path, body: "akash/providers.json")],
                                 series: [#"akash_providers{state="registered"}"#, #"akash_providers{state="online"}"#,
                                          #"akash_providers{state="audited"}"#],
                                 emptyBody: "[]",
                                 emptyAnswer: .valid([#"akash_providers{state="audited"} 0"#, #"akash_providers{state="online"} 0"#,
                                                      #"akash_providers{state="registered"} 0"#])),

        // A tenant with no active lease: zero leases and zero spend, no lease series; its active deployments
        // (waiting for bids) cost nothing, so their escrow stays whole and has no runway.
        "akash_leases": .init(
            routes: [.init(LeasesPage.path, query: "filters.owner=\(owner)", body: "e2e/chain-leases.json"),
                     .init(LeasesPage.path, query: "filters.owner=\(owner)&pagination.key=bGVhc2VzLXBhZ2UtMg==",
                           body: "e2e/chain-leases-page2.json")],
            // What the deployments list alone gives (the escrow paid out so far) stays without leases.
            series: ["akash_lease_", "akash_account_", "akash_deployment_spend", "akash_deployment_escrow_balance",
                     "akash_deployment_escrow_runway", "akash_deployment_open_groups"], emptyBody: emptyLeases,
            emptyAnswer: .valid([
                "akash_account_active_leases{owner=\"\(owner)\"} 0",
                "akash_account_spend_usd_per_hour{owner=\"\(owner)\"} 0",
                "akash_deployment_escrow_balance{owner=\"\(owner)\",dseq=\"27650002\",denom=\"uact\"} 150000000",
                "akash_deployment_escrow_balance{owner=\"\(owner)\",dseq=\"27790001\",denom=\"uact\"} 20000000",
                "akash_deployment_escrow_balance_usd{owner=\"\(owner)\",dseq=\"27650002\"} 150",
                "akash_deployment_escrow_balance_usd{owner=\"\(owner)\",dseq=\"27790001\"} 20",
                // Without a lease, every open group waits for a bid.
                "akash_deployment_open_groups{owner=\"\(owner)\",dseq=\"27650002\"} 2",
                "akash_deployment_open_groups{owner=\"\(owner)\",dseq=\"27790001\"} 1",
                "akash_deployment_spend_usd_per_hour{owner=\"\(owner)\",dseq=\"27650002\"} 0",
                "akash_deployment_spend_usd_per_hour{owner=\"\(owner)\",dseq=\"27790001\"} 0",
            ]),
            flags: ownerFlags),
        // No active deployment: no escrow series.
        "akash_deployments": .init(
            routes: [.init(DeploymentsSource.path, body: "e2e/chain-deployments.json")],
            series: ["akash_deployment_escrow_"],
            emptyBody: #"{"deployments":[],"pagination":{"next_key":null,"total":"0"}}"#, emptyAnswer: .valid([]),
            flags: ownerFlags),
        // The escrow projection needs the height.
        "akash_block": .init(routes: [.init(BlockSource.path, body: "e2e/chain-block-latest.json")],
                             series: ["akash_deployment_escrow_balance", "akash_deployment_escrow_runway", "akash_chain_latest_block_timestamp_seconds"],
                             emptyBody: "{}",
                             emptyAnswer: .fails(.decode), flags: ownerFlags),
        // The block 1000 below the latest, exactly 6000 s earlier: 6 s measured, so no per-hour figure moves with it.
        // `{}` has no header: nothing measured, not a block time of zero.
        "akash_block_time": .init(routes: [.init(BlockTimeSource.path(height: 27_799_000), body: "e2e/chain-block-27799000.json"),
                                           .init(BlockSource.path, body: "e2e/chain-block-latest.json")],
                                  series: ["akash_chain_block_time_seconds"], emptyBody: "{}", emptyAnswer: .fails(.decode),
                                  flags: ownerFlags),
        // No winning bid known: no lease has GPU series (the lease prices do not depend on bids).
        // The plain path: any owner's bids (end-to-end runs watch a second owner); the provider's are bound to it.
        "akash_bids": .init(routes: [.init(ChainREST.bidsPath, body: "e2e/chain-bids.json")],
                            series: ["akash_lease_gpu"], emptyBody: emptyBids, emptyAnswer: .valid([]), flags: ownerFlags),

        "akash_provider_leases": .init(
            routes: [.init(LeasesPage.path, query: "filters.provider=\(provider)", body: "chain/provider-leases-page1.json"),
                     .init(LeasesPage.path, query: "filters.provider=\(provider)&pagination.key=cHJvdmlkZXIvbGVhc2VzLzI+/w==",
                           body: "chain/provider-leases-page2.json"),
                     .init(LeasesPage.path, query: "filters.provider=\(provider)&pagination.key=cHJvdmlkZXIvbGVhc2VzLzM/+w==",
                           body: "chain/provider-leases-page3.json")],
            series: ["akash_provider_active_leases", "akash_provider_revenue_", "akash_provider_leased_gpus",
                     "akash_provider_gpu_price_", "akash_provider_reclaiming_leases", "akash_provider_overdrawn_leases",
                     "akash_provider_unwithdrawn"],
            emptyBody: emptyLeases,
            emptyAnswer: .valid(["akash_provider_active_leases{provider=\"\(provider)\"} 0",
                                 "akash_provider_overdrawn_leases{provider=\"\(provider)\"} 0",
                                 "akash_provider_reclaiming_leases{provider=\"\(provider)\"} 0",
                                 "akash_provider_revenue_usd_per_hour{provider=\"\(provider)\"} 0",
                                 "akash_provider_unwithdrawn_usd{provider=\"\(provider)\"} 0"]),
            flags: providerFlags),
        // No bid: no GPU figures, and no open bid is a count of 0.
        "akash_provider_bids": .init(
            routes: [.init(ChainREST.bidsPath, query: "filters.provider=\(provider)&filters.state=active",
                           body: "chain/provider-bids-active.json"),
                     .init(ChainREST.bidsPath, query: "filters.provider=\(provider)&filters.state=open",
                           body: "chain/provider-bids-open-page1.json"),
                     .init(ChainREST.bidsPath, query: "filters.provider=\(provider)&filters.state=open&pagination.key=cHJvdmlkZXIvYmlkcy8y/+8=",
                           body: "chain/provider-bids-open-page2.json")],
            series: ["akash_provider_leased_gpus", "akash_provider_gpu_price_", "akash_provider_open_bid"],
            emptyBody: emptyBids,
            emptyAnswer: .valid(["akash_provider_open_bids{provider=\"\(provider)\"} 0"]),
            flags: providerFlags),

        // No running lease on the network: every kind counts 0, no model has a price.
        "akash_network_leases": .init(
            routes: [.init(LeasesPage.path, query: "filters.state=active&\(noAddress)", body: "network/leases-active-page1.json"),
                     .init(LeasesPage.path, query: "filters.state=active&\(noAddress)&pagination.key=bmV0d29yay9sZWFzZXMvMg+/AQ==",
                           body: "network/leases-active-page2.json"),
                     .init(LeasesPage.path, query: "filters.state=reclaiming&\(noAddress)", body: "network/leases-reclaiming.json")],
            series: paidSeries, emptyBody: emptyLeases, emptyAnswer: .valid(paidKinds(noOffer: 0))),
        // No winning bid: every lease is one without an offer, and nothing is priced.
        "akash_network_bids": .init(
            routes: [.init(ChainREST.bidsPath, query: "filters.state=active&\(noAddress)", body: "network/bids-active-page1.json"),
                     .init(ChainREST.bidsPath, query: "filters.state=active&\(noAddress)&pagination.key=bmV0d29yay9iaWRzLzI/+w==",
                           body: "network/bids-active-page2.json")],
            series: paidSeries, emptyBody: emptyBids, emptyAnswer: .valid(paidKinds(noOffer: 14))),
        // The recorded host_uris (loopback, private, plain http) are all refused: no app test contacts a gateway.
        "akash_provider_probe": .init(
            routes: probedProviders.map { .init(GatewayProbe.providerPath + $0, body: "reachability/chain-provider-\($0).json") },
            series: ["akash_provider_probe_", "akash_provider_status_", "akash_lease_provider_up"],
            emptyBody: "{}", emptyAnswer: .fails(.decode), flags: ownerFlags + providerFlags, inFaultMatrix: false),
        // Nothing known of the providers asked about: no series.
        "akash_provider_console": .init(
            routes: [.init(ConsoleUptime.path, query: "addresses=\(probedProviders.joined(separator: ","))",
                           body: "reachability/console-providers.json")],
            series: ["akash_provider_console_online", "akash_provider_uptime_ratio", "akash_provider_last_online_timestamp_seconds"],
            emptyBody: "[]", emptyAnswer: .valid([]), flags: ownerFlags + providerFlags),

        // `{}` has no aggregate: nothing to report, not a price of zero.
        "akash_oracle": .init(routes: [.init(OracleSource.path, body: "onchain/oracle-aggregated-price-akt.json")],
                              series: ["akash_oracle_"], emptyBody: "{}", emptyAnswer: .fails(.decode)),
        // `{}` names no state: nothing to report, not a healthy one.
        "akash_bme": .init(routes: [.init(BMESource.statusPath, body: "onchain/bme-status.json"),
                                    .init(BMESource.vaultPath, body: "onchain/bme-vault.json")],
                           series: ["akash_bme_"], emptyBody: "{}", emptyAnswer: .fails(.decode)),
    ]

    /// The entry of a registered source; a source without one stops the test naming it.
    static func of(_ source: Source) -> RecordedSource {
        guard let recorded = sources[source.name] else {
            fatalError("\(source.name) has no entry in Recorded.sources (Tests/AkashExporterTests/App/RecordedSources.swift)")
        }
        return recorded
    }

    static func api(_ api: UpstreamAPI) -> FakeAPI {
        guard let fake = apis[api.name] else { fatalError("\(api.name) has no entry in Recorded.apis") }
        return fake
    }

    /// Every route the script fake serves, prefix included, and its recorded body:
    /// `/console/v1/gpu-prices` -> `akash/gpu-prices.json`; a query-bound body as `/chain/...list?filters.owner=...`,
    /// a network-wide list's as `/chain/...list?filters.state=active&!filters.owner&!filters.provider`.
    /// Also under each API's further prefixes.
    static var fakeRoutes: [(key: String, body: String)] {
        SourceRegistry.all.flatMap { source in
            let fake = api(source.api)
            return ([fake.prefix] + fake.aliases).flatMap { prefix in
                of(source).routes.map { (prefix + $0.scriptKey, $0.body) }
            }
        }
    }

    /// Flags every recorded body assumes (the owner, the provider), each once.
    static var flags: [String] {
        SourceRegistry.all.flatMap { of($0).flags }.uniqued()
    }
}
