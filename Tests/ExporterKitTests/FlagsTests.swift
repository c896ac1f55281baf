import Testing
@testable import ExporterKit

@Suite struct FlagsTests {
    static let listenAddress: Flag<String> = .string("web.listen-address", default: ":9877", placeholder: "ADDRESS",
                                                     help: "Where to listen.")
    static let owner: Flag<[String]> = .list("akash.owner", placeholder: "ADDRESS", help: "Owner addresses.")
    static let accountInterval: Flag<Double> = .duration("akash.account-interval", default: "1m", help: "Account poll interval.")
    static let cmcEnabled: Flag<Bool> = .bool("cmc.enabled", default: true, help: "Poll CoinMarketCap.")
    static let apiKeyFile: Flag<String?> = .optionalString("cmc.api-key-file", placeholder: "PATH", env: ["CMC_API_KEY_FILE"],
                                                           help: "Key file.")
    static let once: Flag<Bool> = .bool("once", help: "Poll once.")

    let specs = [listenAddress.spec, owner.spec, accountInterval.spec, cmcEnabled.spec, apiKeyFile.spec, once.spec]

    private func parse(_ arguments: [String], environment: [String: String] = [:]) throws -> ParsedFlags {
        guard case .values(let flags) = try FlagParser.parse(arguments, specs: specs, environment: environment, environmentPrefix: "AKASH_EXPORTER_") else {
            Issue.record("expected values")
            throw ConfigError("no values")
        }
        return flags
    }

    private func error(_ arguments: [String], environment: [String: String] = [:]) -> String? {
        do {
            _ = try FlagParser.parse(arguments, specs: specs, environment: environment, environmentPrefix: "AKASH_EXPORTER_")
            return nil
        } catch {
            return error.message
        }
    }

    @Test func commandLineBeatsEnvironmentBeatsDefault() throws {
        let environment = ["AKASH_EXPORTER_WEB_LISTEN_ADDRESS": "127.0.0.1:1", "AKASH_EXPORTER_AKASH_ACCOUNT_INTERVAL": "30s"]
        let flags = try parse(["--web.listen-address=127.0.0.1:2"], environment: environment)
        #expect(try flags[Self.listenAddress] == "127.0.0.1:2")
        #expect(try flags[Self.accountInterval] == 30)
        #expect(try parse([])[Self.listenAddress] == ":9877")
        #expect(try parse([], environment: environment)[Self.listenAddress] == "127.0.0.1:1")
    }

    @Test func extraEnvironmentNameIsReadFirst() throws {
        let flags = try parse([], environment: ["CMC_API_KEY_FILE": "/a", "AKASH_EXPORTER_CMC_API_KEY_FILE": "/b"])
        #expect(try flags[Self.apiKeyFile] == "/a")
        #expect(try parse([], environment: ["CMC_API_KEY_FILE": "", "AKASH_EXPORTER_CMC_API_KEY_FILE": "/b"])[Self.apiKeyFile]
            == "/b")
    }

    @Test func unknownFlagIsNamed() {
        #expect(error(["--web.listen-adress", ":1"]) == "unknown flag --web.listen-adress: see --help for the flags")
        #expect(error(["listen"]) == "unexpected argument \"listen\": flags start with --, see --help")
        #expect(error(["--web.listen-address"]) == "flag --web.listen-address needs a value: expected ADDRESS")
    }

    @Test func badDurationNamesFlagAndValue() throws {
        let expected = "invalid value \"5 minutes\" for --akash.account-interval: expected a positive duration such as 30s, 5m or 1h"
        #expect(throws: ConfigError(expected)) {
            try parse(["--akash.account-interval", "5 minutes"])[Self.accountInterval]
        }
        #expect(throws: ConfigError.self) { try parse(["--akash.account-interval=0s"])[Self.accountInterval] }
        #expect(throws: ConfigError.self) { try parse(["--akash.account-interval=-1m"])[Self.accountInterval] }
        #expect(try parse(["--akash.account-interval=1h30m"])[Self.accountInterval] == 5400)
        #expect(try parse(["--akash.account-interval=250ms"])[Self.accountInterval] == 0.25)
    }

    @Test func anErrorAboutAValueFromTheEnvironmentNamesTheVariable() throws {
        let fromEnvironment = try parse([], environment: ["AKASH_EXPORTER_WEB_LISTEN_ADDRESS": "nowhere"])
        #expect(fromEnvironment.environmentVariable(of: "web.listen-address") == "AKASH_EXPORTER_WEB_LISTEN_ADDRESS")
        let error = ConfigError.invalid("web.listen-address", "nowhere", expected: "[host]:port").naming(environmentOf: fromEnvironment)
        #expect(error.message == "invalid value \"nowhere\" for --web.listen-address: expected [host]:port "
                + "(from the environment variable AKASH_EXPORTER_WEB_LISTEN_ADDRESS)")
        // The command line wins, and then there is no variable to name.
        let fromCommandLine = try parse(["--web.listen-address=nowhere"], environment: ["AKASH_EXPORTER_WEB_LISTEN_ADDRESS": "x"])
        #expect(fromCommandLine.environmentVariable(of: "web.listen-address") == nil)
        let plain = ConfigError.invalid("web.listen-address", "nowhere", expected: "[host]:port")
        #expect(plain.naming(environmentOf: fromCommandLine) == plain)
        // An extra name (CMC_API_KEY_FILE) is named as it was set.
        #expect(try parse([], environment: ["CMC_API_KEY_FILE": "/a"]).environmentVariable(of: "cmc.api-key-file") == "CMC_API_KEY_FILE")
    }

    @Test func repeatableFlagsAndCommaListsCombine() throws {
        let flags = try parse(["--akash.owner", "akash1a, akash1b", "--akash.owner=akash1c", "--akash.owner", ",akash1d,"])
        #expect(try flags[Self.owner] == ["akash1a", "akash1b", "akash1c", "akash1d"])
        #expect(try parse([], environment: ["AKASH_EXPORTER_AKASH_OWNER": "akash1x,akash1y"])[Self.owner]
            == ["akash1x", "akash1y"])
        #expect(try parse([])[Self.owner] == [])
    }

    @Test func booleansTakeNoPrefixAndExplicitValues() throws {
        #expect(try parse(["--no-cmc.enabled"])[Self.cmcEnabled] == false)
        #expect(try parse([])[Self.cmcEnabled] == true)
        #expect(try parse(["--once"])[Self.once] == true)
        #expect(try parse(["--cmc.enabled=false"])[Self.cmcEnabled] == false)
        #expect(try parse([], environment: ["AKASH_EXPORTER_CMC_ENABLED": "0"])[Self.cmcEnabled] == false)
        #expect(throws: ConfigError("invalid value \"maybe\" for --cmc.enabled: expected true or false")) {
            try parse(["--cmc.enabled=maybe"])[Self.cmcEnabled]
        }
        #expect(error(["--no-web.listen-address"]) == "unknown flag --no-web.listen-address: see --help for the flags")
    }

    @Test func helpAndVersion() throws {
        guard case .help = try FlagParser.parse(["--once", "--help"], specs: specs, environment: [:], environmentPrefix: "AKASH_EXPORTER_") else {
            Issue.record("expected help")
            return
        }
        guard case .version = try FlagParser.parse(["--version"], specs: specs, environment: [:], environmentPrefix: "AKASH_EXPORTER_") else {
            Issue.record("expected version")
            return
        }
        let usage = FlagParser.usage(program: "x", summary: "s", specs: specs, environmentPrefix: "AKASH_EXPORTER_")
        #expect(usage.contains("  --[no-]cmc.enabled\n      Poll CoinMarketCap. (default: true)\n      env: AKASH_EXPORTER_CMC_ENABLED\n"))
        #expect(usage.contains("env: CMC_API_KEY_FILE, AKASH_EXPORTER_CMC_API_KEY_FILE\n"))
    }

    @Test func durationFormatting() {
        #expect(DurationParser.format(5400) == "1h30m")
        #expect(DurationParser.format(0.25) == "250ms")
        #expect(DurationParser.format(90) == "1m30s")
    }
}
