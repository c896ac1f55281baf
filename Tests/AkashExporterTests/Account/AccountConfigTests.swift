@testable import AkashExporter
import ExporterKit
import Foundation
import Testing

@Suite("Account: configuration and area")
struct AccountConfigTests {
    static let tenant = "akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq"
    static let other = "akash100dwtg4hqnd240x583spjwnk4kanp559xwtvmg"

    static func config(_ arguments: [String], environment: [String: String] = [:]) throws -> AccountConfig {
        let flags = try AreaTesting.flags(arguments, environment: environment)
        return try AccountConfig(flags, chain: try ChainConfig(flags))
    }

    @Test("defaults: Akash's own LCD, 6 s blocks, a poll a minute, 10 s timeout; no owner means off")
    func defaults() throws {
        let config = try Self.config([])
        #expect(config.owners.isEmpty)
        #expect(!config.isEnabled)
        #expect(config.restURL.absoluteString == "https://rpc.akt.dev/rest")
        #expect(config.blockTime == 6)
        #expect(config.interval == 60)
        #expect(config.timeout == 10)
    }

    @Test("owners from repeated flags and comma lists, lower-cased, without repeats, in order")
    func owners() throws {
        let config = try Self.config(["--akash.owner", "\(Self.tenant), \(Self.other)",
                                      "--akash.owner=\(Self.tenant.uppercased())"])
        #expect(config.owners == [Self.tenant, Self.other])
    }

    @Test("owners from AKASH_EXPORTER_AKASH_OWNER")
    func ownersFromEnvironment() throws {
        let config = try Self.config([], environment: ["AKASH_EXPORTER_AKASH_OWNER": "\(Self.other),\(Self.tenant)"])
        #expect(config.owners == [Self.other, Self.tenant])
    }

    @Test("a bad address at start is an error naming it and what is wrong", arguments: [
        ("cosmos102kdwsssl6jf4frdcz50mua6j0h6d8wd6f6e26", "the prefix is \"cosmos\", expected \"akash\""),
        ("akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nr", "the checksum does not match"),
        ("akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7NQ", "mixes upper and lower case"),
        ("akash1o2kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq", "character \"o\" at position 7"),
    ])
    func badAddress(_ address: String, _ problem: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try Self.config(["--akash.owner", "\(Self.tenant),\(address)"])
        }
        #expect(error.message.hasPrefix("invalid value \"\(address)\" for --akash.owner: expected an Akash account address (akash1...), but "))
        #expect(error.message.contains(problem))
    }

    @Test("bad durations and URLs are refused with the flag named")
    func badValues() {
        #expect(throws: ConfigError.invalid("akash.block-time", "0s", expected: "auto or a positive duration such as 6s or 6100ms")) {
            try Self.config(["--akash.block-time=0s"])
        }
        #expect((try? Self.config(["--akash.rest-url=ftp://x"])) == nil)
    }

    @Test("no owner: the area has no sources and no collectors")
    func disabledArea() throws {
        let area = AccountArea.make(config: try Self.config([]), shared: SharedDependencies(aktPriceUSD: { _ in 1 }))
        #expect(area.sources.isEmpty)
        #expect(area.collectors.isEmpty)
    }

    @Test("with owners: four sources named as in METRICS.md, polled at the configured interval; costs and GPU collectors")
    func enabledArea() throws {
        let area = AccountArea.make(config: try Self.config(["--akash.owner", Self.tenant, "--akash.account-interval=5m"]),
                                    shared: SharedDependencies(aktPriceUSD: { _ in 1 }))
        #expect(area.sources.map(\.name) == ["akash_leases", "akash_deployments", "akash_bids", "akash_block"])
        #expect(area.sources.allSatisfy { $0.interval == 300 })
        // Costs, GPUs, the chain head; a fixed block time (the shared default here) measures nothing.
        #expect(area.collectors.count == 3)
    }
}
