@testable import AkashExporter
import ExporterKit
import Foundation
import Testing

@Suite("Provider: configuration")
struct ProviderConfigTests {
    static let provider = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"
    static let other = "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63"

    static func config(_ arguments: [String], environment: [String: String] = [:]) throws -> ProviderConfig {
        let flags = try AreaTesting.flags(arguments, environment: environment)
        return try ProviderConfig(flags, chain: try ChainConfig(flags))
    }

    @Test("none: this part is off, with no source")
    func off() throws {
        let config = try Self.config([])
        #expect(!config.isEnabled)
        #expect(ProviderArea.make(config: config).sources.isEmpty)
    }

    @Test("providers from repeated flags and comma lists, lower-cased, without repeats; the chain settings shared")
    func providers() throws {
        let config = try Self.config(["--akash.provider", "\(Self.provider), \(Self.other)",
                                      "--akash.provider=\(Self.provider.uppercased())", "--akash.account-interval=2m",
                                      "--akash.rest-url=http://127.0.0.1:1317"])
        #expect(config.providers == [Self.provider, Self.other])
        #expect(config.interval == 120)
        #expect(config.restURL.absoluteString == "http://127.0.0.1:1317")
        let area = ProviderArea.make(config: config)
        // The latest block comes with the view of the chain, at its pace.
        #expect(area.sources.map(\.name) == ["akash_provider_leases", "akash_provider_bids", "akash_block"])
        #expect(area.sources.allSatisfy { $0.interval == 120 })
    }

    @Test("providers from AKASH_EXPORTER_AKASH_PROVIDER")
    func environment() throws {
        let config = try Self.config([], environment: ["AKASH_EXPORTER_AKASH_PROVIDER": "\(Self.other),\(Self.provider)"])
        #expect(config.providers == [Self.other, Self.provider])
    }

    @Test("a bad address is one line naming the flag, the value and what is wrong", arguments: [
        ("cosmos18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc", "the prefix is \"cosmos\""),
        ("akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xd", "the checksum does not match"),
    ])
    func badAddress(_ address: String, _ problem: String) throws {
        let error = try #require(throws: ConfigError.self) { try Self.config(["--akash.provider", address]) }
        #expect(error.message.hasPrefix("invalid value \"\(address)\" for --akash.provider: expected an Akash account address (akash1...), but "))
        #expect(error.message.contains(problem))
    }
}
