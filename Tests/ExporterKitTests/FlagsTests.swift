import Testing
@testable import ExporterKit

@Suite struct FlagsTests {
    let specs: [FlagSpec] = [
        FlagSpec("web.listen-address", default: ":9877", placeholder: "ADDRESS", help: "Where to listen."),
        FlagSpec("akash.owner", kind: .repeatable, placeholder: "ADDRESS", help: "Owner addresses."),
        FlagSpec("akash.account-interval", default: "1m", placeholder: "DURATION", help: "Account poll interval."),
        FlagSpec("cmc.enabled", default: "true", kind: .bool, help: "Poll CoinMarketCap."),
        FlagSpec("cmc.api-key-file", placeholder: "PATH", env: ["CMC_API_KEY_FILE"], help: "Key file."),
        FlagSpec("once", default: "false", kind: .bool, help: "Poll once."),
    ]

    private func parse(_ arguments: [String], environment: [String: String] = [:]) throws -> ParsedFlags {
        guard case .values(let flags) = try FlagParser.parse(arguments, specs: specs, environment: environment) else {
            Issue.record("expected values")
            throw ConfigError("no values")
        }
        return flags
    }

    private func error(_ arguments: [String], environment: [String: String] = [:]) -> String? {
        do {
            _ = try FlagParser.parse(arguments, specs: specs, environment: environment)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func commandLineBeatsEnvironmentBeatsDefault() throws {
        let environment = ["AKASH_EXPORTER_WEB_LISTEN_ADDRESS": "127.0.0.1:1", "AKASH_EXPORTER_AKASH_ACCOUNT_INTERVAL": "30s"]
        let flags = try parse(["--web.listen-address=127.0.0.1:2"], environment: environment)
        #expect(flags.string("web.listen-address") == "127.0.0.1:2")
        #expect(try flags.duration("akash.account-interval") == 30)
        #expect(try parse([]).string("web.listen-address") == ":9877")
        #expect(try parse([]).isSet("web.listen-address") == false)
        #expect(try parse([], environment: environment).isSet("web.listen-address"))
        #expect(try parse(["--web.listen-address=:9877"]).isSet("web.listen-address"), "given with its default value")
    }

    @Test func extraEnvironmentNameIsReadFirst() throws {
        let flags = try parse([], environment: ["CMC_API_KEY_FILE": "/a", "AKASH_EXPORTER_CMC_API_KEY_FILE": "/b"])
        #expect(flags.string("cmc.api-key-file") == "/a")
        #expect(try parse([], environment: ["CMC_API_KEY_FILE": "", "AKASH_EXPORTER_CMC_API_KEY_FILE": "/b"])
            .string("cmc.api-key-file") == "/b")
    }

    @Test func unknownFlagIsNamed() {
        #expect(error(["--web.listen-adress", ":1"]) == "unknown flag --web.listen-adress: see --help for the flags")
        #expect(error(["listen"]) == "unexpected argument \"listen\": flags start with --, see --help")
        #expect(error(["--web.listen-address"]) == "flag --web.listen-address needs a value: expected ADDRESS")
    }

    @Test func badDurationNamesFlagAndValue() throws {
        let expected = "invalid value \"5 minutes\" for --akash.account-interval: expected a positive duration such as 30s, 5m or 1h"
        #expect(throws: ConfigError(expected)) {
            try parse(["--akash.account-interval", "5 minutes"]).duration("akash.account-interval")
        }
        #expect(throws: ConfigError.self) { try parse(["--akash.account-interval=0s"]).duration("akash.account-interval") }
        #expect(throws: ConfigError.self) { try parse(["--akash.account-interval=-1m"]).duration("akash.account-interval") }
        #expect(try parse(["--akash.account-interval=1h30m"]).duration("akash.account-interval") == 5400)
        #expect(try parse(["--akash.account-interval=250ms"]).duration("akash.account-interval") == 0.25)
    }

    @Test func repeatableFlagsAndCommaListsCombine() throws {
        let flags = try parse(["--akash.owner", "akash1a, akash1b", "--akash.owner=akash1c", "--akash.owner", ",akash1d,"])
        #expect(flags.list("akash.owner") == ["akash1a", "akash1b", "akash1c", "akash1d"])
        #expect(try parse([], environment: ["AKASH_EXPORTER_AKASH_OWNER": "akash1x,akash1y"]).list("akash.owner")
            == ["akash1x", "akash1y"])
        #expect(try parse([]).list("akash.owner") == [])
    }

    @Test func booleansTakeNoPrefixAndExplicitValues() throws {
        #expect(try parse(["--no-cmc.enabled"]).bool("cmc.enabled") == false)
        #expect(try parse([]).bool("cmc.enabled") == true)
        #expect(try parse(["--once"]).bool("once") == true)
        #expect(try parse(["--cmc.enabled=false"]).bool("cmc.enabled") == false)
        #expect(try parse([], environment: ["AKASH_EXPORTER_CMC_ENABLED": "0"]).bool("cmc.enabled") == false)
        #expect(throws: ConfigError("invalid value \"maybe\" for --cmc.enabled: expected true or false")) {
            try parse(["--cmc.enabled=maybe"]).bool("cmc.enabled")
        }
        #expect(error(["--no-web.listen-address"]) == "unknown flag --no-web.listen-address: see --help for the flags")
    }

    @Test func helpAndVersion() throws {
        guard case .help = try FlagParser.parse(["--once", "--help"], specs: specs, environment: [:]) else {
            Issue.record("expected help")
            return
        }
        guard case .version = try FlagParser.parse(["--version"], specs: specs, environment: [:]) else {
            Issue.record("expected version")
            return
        }
        let usage = FlagParser.usage(program: "x", summary: "s", specs: specs)
        #expect(usage.contains("  --[no-]cmc.enabled\n      Poll CoinMarketCap. (default: true)\n      env: AKASH_EXPORTER_CMC_ENABLED\n"))
        #expect(usage.contains("env: CMC_API_KEY_FILE, AKASH_EXPORTER_CMC_API_KEY_FILE\n"))
    }

    @Test func durationFormatting() {
        #expect(DurationParser.format(5400) == "1h30m")
        #expect(DurationParser.format(0.25) == "250ms")
        #expect(DurationParser.format(90) == "1m30s")
    }
}
