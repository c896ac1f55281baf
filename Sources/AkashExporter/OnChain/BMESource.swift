import ExporterKit
import Exposition
import FoundationEssentials

/// Source `akash_bme`: the burn-mint equilibrium that turns AKT into ACT, the credit new deployments are priced in.
/// `GET /akash/bme/v1/status` for the circuit breaker (healthy, warning, halt_cr, halt_oracle) and `/vault` for
/// what backs the ACT in circulation. While minting is halted no ACT escrow can be topped up.
///
/// The chain computes the collateral ratio live from the oracle's price, so `/status` answers with an error exactly
/// when that price is unusable, the state it would call `halt_oracle`. Such an error, with the oracle reporting
/// itself unhealthy, is that state and not a failed poll: it is what the alerts most need to see.
struct BMESource: PolledSource {
    static let statusPath = "/akash/bme/v1/status"
    static let vaultPath = "/akash/bme/v1/vault"

    static let declaration = Source(
        name: "akash_bme", api: .chainREST, endpoints: [.init(statusPath), .init(vaultPath)],
        summary: "chain REST `GET /akash/bme/v1/status` and `/vault` (ACT minting health; the oracle's price when status errs)",
        schedule: "1 min", intervalFlag: OnChainConfig.intervalFlag.spec, timeoutFlag: ChainConfig.timeoutFlag.spec
    ) { setup in
        guard let config = setup[OnChainArea.self], config.enabled else { return nil }
        let source = BMESource(config: config, chain: ChainREST(baseURL: config.restURL, timeout: config.timeout))
        return MadeSource(source, collectors: [LastGoodCollector(lastGood: source.box, families: families)])
    }

    let name = "akash_bme"
    let interval: Double
    let chain: ChainREST
    let box: LastGood<BMEState>

    init(config: OnChainConfig, chain: ChainREST) {
        interval = config.interval
        self.chain = chain
        box = LastGood(pollInterval: config.interval)
    }

    func poll(_ context: PollContext) async throws(SourceFailure) {
        let what = UpstreamAPI.chainREST.describe(Self.statusPath)
        let response = try await context.fetch(chain.request(Self.statusPath))
        let status: BMEState.Breaker
        if (200..<300).contains(response.status) {
            status = try Self.decodeStatus(JSONBody.decode(StatusAnswer.self, from: response.body, what: what), what: what)
        } else {
            status = try await haltOracle(after: response, what: what, context: context)
        }
        let vaultWhat = UpstreamAPI.chainREST.describe(Self.vaultPath)
        let vault = try await context.fetchJSON(VaultAnswer.self, chain.request(Self.vaultPath), what: vaultWhat)
        box.set(BMEState(breaker: status, vault: try Self.decodeVault(vault, what: vaultWhat)), at: context.now)
    }

    /// The `halt_oracle` state when the error is the chain's own (a gRPC status body, not a proxy's page or a rate
    /// limit) and the oracle, asked right now, says its price is unhealthy. Anything else is the failure the status
    /// code describes.
    private func haltOracle(after response: UpstreamResponse, what: String, context: PollContext) async throws(SourceFailure)
        -> BMEState.Breaker {
        let failure: SourceFailure
        do throws(SourceFailure) {
            try response.requireSuccess(what)
            failure = SourceFailure(.http, "\(what): HTTP \(response.status)")
        } catch {
            failure = error
        }
        guard failure.reason == .http, let chainError = try? JSONDecoder().decode(ChainError.self, from: response.body) else {
            throw failure
        }
        let oracle = try await context.fetch(chain.request(OracleSource.path))
        try oracle.requireSuccess(UpstreamAPI.chainREST.describe(OracleSource.path))
        guard try !OracleSource.decode(oracle.body).healthy else {
            // A real chain error with a healthy oracle: the log should say what the chain said (its messages carry
            // no secret; cut short, as a broken node can send anything).
            throw SourceFailure(.http, "\(failure.message) (code \(chainError.code): \(chainError.message.prefix(200)))")
        }
        return .haltOracle
    }

    /// `{"code": 13, "message": "...", "details": []}`: how the gateway writes a gRPC error.
    struct ChainError: Decodable {
        let code: Int
        let message: String
    }

    struct StatusAnswer: Decodable, Sendable {
        let status: String
        let collateralRatio: ChainDecimal
        let warnThreshold: ChainDecimal
        let haltThreshold: ChainDecimal
        let mintsAllowed: Bool
        let refundsAllowed: Bool

        enum CodingKeys: String, CodingKey {
            case status
            case collateralRatio = "collateral_ratio", warnThreshold = "warn_threshold", haltThreshold = "halt_threshold"
            case mintsAllowed = "mints_allowed", refundsAllowed = "refunds_allowed"
        }
    }

    struct VaultAnswer: Decodable, Sendable {
        struct State: Decodable, Sendable {
            let balances: [Coin]
        }

        let vaultState: State

        enum CodingKeys: String, CodingKey {
            case vaultState = "vault_state"
        }
    }

    /// A Cosmos `Coin`: an integer amount of micro-units, as a string.
    struct Coin: Decodable, Sendable {
        let denom: String
        let amount: String
    }

    /// The states the chain stores, by their enum names. `mint_status_unspecified` (never set) and anything newer
    /// are no state this exporter can report.
    static let states: [String: BMEState.Status] = [
        "mint_status_healthy": .healthy, "mint_status_warning": .warning,
        "mint_status_halt_cr": .haltCR, "mint_status_halt_oracle": .haltOracle,
    ]

    /// The chain derives both flags from the state (mints below halt_cr, refunds below halt_oracle); an answer whose
    /// flags contradict its state is not one to alert on.
    static func decodeStatus(_ answer: StatusAnswer, what: String) throws(SourceFailure) -> BMEState.Breaker {
        guard let status = states[answer.status] else {
            throw SourceFailure(.decode, "\(what): unknown status \(answer.status.prefix(40))")
        }
        let mints = status == .healthy || status == .warning
        let refunds = status != .haltOracle
        guard answer.mintsAllowed == mints, answer.refundsAllowed == refunds else {
            throw SourceFailure(.decode, "\(what): mints_allowed/refunds_allowed contradict status \(answer.status)")
        }
        return .reported(status: status, collateralRatio: answer.collateralRatio.doubleValue,
                         warnThreshold: answer.warnThreshold.doubleValue, haltThreshold: answer.haltThreshold.doubleValue)
    }

    /// No Akash denom has anywhere near a trillion whole tokens (AKT's supply is in the hundreds of millions): an
    /// amount above it is a broken answer, not a vault.
    static let maxPlausibleTokens = 1e12

    /// The vault's `uakt` and `uact` entries (`uact` is the whole ACT supply); a denom listed twice or an amount that
    /// is not a plain integer fails; a denom not listed has no sample.
    static func decodeVault(_ answer: VaultAnswer, what: String) throws(SourceFailure) -> BMEState.Vault {
        var tokens: [String: Double] = [:]
        for coin in answer.vaultState.balances {
            guard let micro = UInt64(strictDigits: coin.amount) else {
                throw SourceFailure(.decode, "\(what): balance of \(coin.denom.prefix(40)) is not a non-negative integer")
            }
            let whole = Double(micro) / DenomPricing.microUnitsPerToken
            guard whole <= maxPlausibleTokens else {
                throw SourceFailure(.decode, "\(what): implausible balance of \(coin.denom.prefix(40))")
            }
            guard tokens.updateValue(whole, forKey: coin.denom) == nil else {
                throw SourceFailure(.decode, "\(what): \(coin.denom.prefix(40)) listed twice")
            }
        }
        return BMEState.Vault(outstandingACT: tokens[DenomPricing.act], vaultAKT: tokens[DenomPricing.akt])
    }

    static func families(_ state: BMEState) -> [MetricFamily] {
        var ratio = MetricFamily.gauge("akash_bme_collateral_ratio",
            "BME collateral ratio: vault AKT at the oracle's TWAP / ACT outstanding. Absent in halt_oracle (the chain "
            + "cannot compute it without a healthy oracle price).")
        var threshold = MetricFamily.gauge("akash_bme_threshold_ratio",
            "BME circuit-breaker thresholds of the collateral ratio: at or below warn the state is warning, at or below "
            + "halt minting stops. Absent in halt_oracle (the chain's /status then answers an error).")
        var status = MetricFamily.gauge("akash_bme_status",
            "BME circuit-breaker state, 1 for the current one: healthy, warning, halt_cr (collateral ratio at or below "
            + "halt: no ACT minted), halt_oracle (oracle price unhealthy: no ACT minted, no refunds).")
        var mints = MetricFamily.gauge("akash_bme_mints_allowed",
            "1 when BME mints ACT (healthy or warning); 0 when halted: ACT escrows cannot be topped up.")
        var refunds = MetricFamily.gauge("akash_bme_refunds_allowed", "1 when BME refunds ACT to AKT (every state but halt_oracle).")
        var outstanding = MetricFamily.gauge("akash_bme_outstanding_act",
            "ACT in circulation (the vault's uact entry, the total supply), in whole ACT.")
        var vault = MetricFamily.gauge("akash_bme_vault_akt", "AKT held by the BME vault, in whole AKT.")
        switch state.breaker {
        case .reported(_, let collateral, let warn, let halt):
            ratio.add(collateral)
            threshold.add(warn, ["level": "warn"])
            threshold.add(halt, ["level": "halt"])
        case .haltOracle:
            break
        }
        for candidate in BMEState.Status.allCases {
            status.add(candidate == state.status ? 1 : 0, ["status": candidate.rawValue])
        }
        mints.add(state.status == .healthy || state.status == .warning ? 1 : 0)
        refunds.add(state.status == .haltOracle ? 0 : 1)
        outstanding.add(state.vault.outstandingACT)
        vault.add(state.vault.vaultAKT)
        return [ratio, threshold, status, mints, refunds, outstanding, vault].filter { !$0.isEmpty }
    }
}

/// One BME reading: the circuit breaker and the vault.
struct BMEState: Sendable, Equatable {
    enum Status: String, Sendable, CaseIterable {
        case healthy, warning
        case haltCR = "halt_cr"
        case haltOracle = "halt_oracle"
    }

    enum Breaker: Sendable, Equatable {
        /// What `/status` answered.
        case reported(status: Status, collateralRatio: Double, warnThreshold: Double, haltThreshold: Double)
        /// `/status` answered an error while the oracle was unhealthy: no ratio, no thresholds.
        case haltOracle
    }

    struct Vault: Sendable, Equatable {
        var outstandingACT: Double?
        var vaultAKT: Double?
    }

    var breaker: Breaker
    var vault: Vault

    var status: Status {
        switch breaker {
        case .reported(let status, _, _, _): status
        case .haltOracle: .haltOracle
        }
    }
}
