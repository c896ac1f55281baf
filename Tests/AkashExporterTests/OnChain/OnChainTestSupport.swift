@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import TestSupport

/// The on-chain area against a fake chain REST on loopback, polled through the real `CurlUpstream`, with
/// CoinMarketCap's AKT price whatever the test says.
struct OnChainHarness: AreaHarness {
    /// 2026-09-28T12:01:00Z: 55 s after the recorded healthy aggregation (12:00:05.48).
    static let pollTime = Date(timeIntervalSince1970: 1_790_596_860)
    static let oracleTimestamp = 1_790_596_805.482913377

    static let oraclePath = OracleSource.path
    static let statusPath = BMESource.statusPath
    static let vaultPath = BMESource.vaultPath

    let chain: FakeChain
    let area: MadeSources
    let upstream = CurlUpstream()

    /// - Parameters:
    ///   - oracle: the body `/aggregated_price/akt` answers; `status`, `/bme/v1/status`'s (with `statusCode`).
    ///   - marketUSD: CoinMarketCap's AKT price at any time (nil: no fresh quote).
    init(oracle: String = "onchain/oracle-aggregated-price-akt.json", status: String = "onchain/bme-status.json",
         statusCode: Int = 200, vault: String = "onchain/bme-vault.json",
         choice: OnChainConfig.AKTPriceChoice = .auto, marketUSD: Double? = 0.70) throws {
        chain = try FakeChain()
        chain.route(Self.oraclePath, .fixture(oracle))
        chain.route(Self.statusPath, .fixture(status, status: statusCode))
        chain.route(Self.vaultPath, .fixture(vault))
        let config = OnChainConfig(restURL: chain.baseURL, interval: 60, timeout: 5, aktPriceSource: choice)
        area = OnChainArea.make(config: config, shared: SharedDependencies(aktPriceUSD: { _ in marketUSD }))
    }

    /// A body to serve: a recorded one with some of its text replaced.
    static func body(_ fixture: String, replacing edits: [(String, String)]) throws -> Data {
        var text = try Fixtures.string(fixture)
        for (old, new) in edits {
            precondition(text.contains(old), "\(fixture) has no \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return Data(text.utf8)
    }
}
