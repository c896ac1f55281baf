import ExporterKit

/// Everything the exporter is told at start, checked before anything starts: a bad value is one clear line and
/// exit code 2.
public struct ExporterConfig: Sendable {
    public var core: CoreConfig
    /// Every area's configuration, in `SourceRegistry.areas`.
    var areas: AreaConfigs

    /// Every flag: the exporter's own, then each area's, for parsing and `--help`.
    public static let flags: [FlagSpec] = CoreConfig.flags + SourceRegistry.areas.flatMap { $0.flags }

    /// Every flag's environment variable starts with it: `--web.listen-address` reads
    /// `AKASH_EXPORTER_WEB_LISTEN_ADDRESS`.
    public static let environmentPrefix = "AKASH_EXPORTER_"

    public static let summary = """
        Prometheus exporter for what compute costs on the Akash Network: GPU bid prices and provider supply from the
        Akash Console API, a tenant's lease spend and escrow runway and a provider's revenue, leased GPUs and bids
        from the chain, and AKT market signals from CoinMarketCap. Sources are polled in the background; scrapes
        serve the last rendered exposition.
        """

    public init(_ flags: ParsedFlags, environment: [String: String]) throws(ConfigError) {
        core = try CoreConfig(flags)
        var areas = AreaConfigs()
        for area in SourceRegistry.areas {
            try Self.configure(area, ConfigInput(flags: flags, environment: environment, parsed: areas), into: &areas)
        }
        self.areas = areas
    }

    /// Opens the existential: `area`'s configuration, stored under `area`.
    private static func configure<Area: SourceArea>(_ area: Area.Type, _ input: ConfigInput,
                                                    into areas: inout AreaConfigs) throws(ConfigError) {
        areas[area] = try area.configure(input)
    }

    public enum Parsed: Sendable {
        case help(String)
        case version(String)
        case run(ExporterConfig)
    }

    public static func parse(arguments: [String], environment: [String: String]) throws(ConfigError) -> Parsed {
        switch try FlagParser.parse(arguments, specs: flags, environment: environment,
                                         environmentPrefix: environmentPrefix) {
        case .help:
            return .help(FlagParser.usage(program: BuildInfo.program, summary: summary, specs: flags,
                                           environmentPrefix: environmentPrefix))
        case .version:
            return .version(BuildInfo.versionText)
        case .values(let values):
            do throws(ConfigError) {
                return .run(try ExporterConfig(values, environment: environment))
            } catch {
                throw error.naming(environmentOf: values)
            }
        }
    }
}
