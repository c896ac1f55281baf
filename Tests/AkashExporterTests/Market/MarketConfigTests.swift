import Foundation
import Testing
@testable import AkashExporter
import ExporterKit

@Suite struct MarketConfigTests {
    private func keyFile(_ content: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cmc-key-\(UUID().uuidString)").path
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaults() throws {
        let config = try MarketTesting.config()
        #expect(config.enabled)
        #expect(config.baseURL.absoluteString == "https://pro-api.coinmarketcap.com")
        #expect(config.apiKey == nil)
        #expect(config.sector == ["AKT", "RENDER", "FIL", "HNT"])
        #expect(config.depinTags == ["depin", "distributed-computing", "ai-big-data", "akash-ecosystem"])
        #expect(config.monthlyCreditBudget == 10_000)
        #expect(config.intervalOverrides.isEmpty)
        #expect(config.timeout == 10)
    }

    @Test func keyFromEnvironmentTrimmed() throws {
        let config = try MarketTesting.config(environment: ["CMC_API_KEY": "  abc-123\n"])
        #expect(config.apiKey?.secret == "abc-123")
    }

    @Test func keyFileWinsOverEnvironment() throws {
        let path = try keyFile("from-file-456\n")
        let config = try MarketTesting.config(["--cmc.api-key-file", path], environment: ["CMC_API_KEY": "from-env"])
        #expect(config.apiKey?.secret == "from-file-456")
        let viaEnv = try MarketTesting.config(environment: ["AKASH_EXPORTER_CMC_API_KEY_FILE": path])
        #expect(viaEnv.apiKey?.secret == "from-file-456")
    }

    @Test func emptyOrMissingKeyFileNamesThePath() throws {
        let empty = try keyFile(" \n")
        #expect(throws: ConfigError.invalid("cmc.api-key-file", empty, expected: "a file holding the CoinMarketCap API key, but it is empty")) {
            try MarketTesting.config(["--cmc.api-key-file", empty])
        }
        let missing = "/nonexistent/cmc.key"
        let error = #expect(throws: ConfigError.self) { try MarketTesting.config(["--cmc.api-key-file", missing]) }
        #expect(error?.message.contains(missing) == true)
    }

    @Test func malformedKeyIsRefusedWithoutEchoingIt() throws {
        let path = try keyFile("secret-part other-part")
        let error = #expect(throws: ConfigError.self) { try MarketTesting.config(["--cmc.api-key-file", path]) }
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("secret-part") == false)
    }

    @Test func theKeyIsNeverPrinted() throws {
        let config = try MarketTesting.config(environment: ["CMC_API_KEY": MarketTesting.apiKey])
        for text in [config.description, String(describing: config), String(reflecting: config), "\(config.apiKey!)"] {
            #expect(!text.contains(MarketTesting.apiKey))
        }
        #expect(config.description.contains("api_key=set"))
    }

    @Test func idsAndSector() throws {
        let config = try MarketTesting.config(["--cmc.ids", "akt=7431, RENDER=5690,TAO=22974", "--cmc.sector", "render,fil"])
        #expect(config.pinnedIDs == ["AKT": 7431, "RENDER": 5690, "TAO": 22974])
        // AKT is always tracked, first; symbols only pinned are tracked too.
        #expect(config.sector == ["AKT", "RENDER", "FIL", "TAO"])
    }

    @Test(arguments: [["--cmc.ids", "AKT:7431"], ["--cmc.ids", "AKT=-1"], ["--cmc.sector", "AKT,R$N"],
                      ["--cmc.depin-tags", ",,"], ["--cmc.monthly-credit-budget", "0"], ["--cmc.quotes-interval", "soon"],
                      ["--cmc.base-url", "ftp://example.com"], ["--cmc.enabled=maybe"]])
    func badValuesAreConfigErrors(arguments: [String]) {
        #expect(throws: ConfigError.self) { try MarketTesting.config(arguments) }
    }

    @Test func overrides() throws {
        let config = try MarketTesting.config(["--cmc.quotes-interval", "5m", "--cmc.listings-interval=1h", "--no-cmc.enabled"])
        #expect(config.intervalOverrides == [.quotes: 300, .listings: 3600])
        #expect(!config.enabled)
    }
}
