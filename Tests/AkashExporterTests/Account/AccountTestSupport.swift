@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import TestSupport

/// An account area pointed at a `FakeChain` on loopback, polled through the real `CurlUpstream`.
struct AccountHarness: AreaHarness {
    static let tenant = "akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq"
    static let secondOwner = "akash100dwtg4hqnd240x583spjwnk4kanp559xwtvmg"
    /// Leases in every open state (`chain/leases-states-owner-*.json`) and a deployment waiting for a bid.
    static let statesOwner = "akash1pas6v0905jgyznpvnjhg7tsthuyqek60gkz7uf"
    static let providers = ["akash19zzh7whjt4vfwxd5wtj3tjtyatnpntfhldshd8", "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc",
                            "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63"]
    /// 2026-07-17T20:07:00Z, the time of the recorded block.
    static let pollTime = Date(timeIntervalSince1970: 1_784_318_820)

    let chain: FakeChain
    let area: MadeSources
    let upstream = CurlUpstream()
    /// What the area shares with the others (the paid leases the reachability view probes).
    let shared: SharedDependencies

    /// - Parameter blockTime: fixed at 6 s unless a test measures it.
    init(owners: [String] = [tenant], interval: Double = 60,
         aktPriceUSD: @escaping @Sendable (Date) -> Double? = { _ in 0.5 }, blockTime: BlockTime = BlockTime()) throws {
        chain = try FakeChain()
        shared = SharedDependencies(aktPrice: AKTPrice(aktPriceUSD), blockTime: blockTime)
        area = AccountArea.make(config: AccountConfig(owners: owners, restURL: chain.baseURL, interval: interval, timeout: 5),
                                shared: shared)
    }

    /// The requests the fake chain saw on `path`, with their decoded query items.
    func queries(_ path: String) -> [[String: String]] {
        chain.requests(path).map(FakeChain.queryItems)
    }
}
