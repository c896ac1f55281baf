import FoundationEssentials
import ExporterKit

/// The CoinMarketCap API key. It is a secret: it goes into the `X-CMC_PRO_API_KEY` header and nowhere else, so
/// every way Swift has of printing a value prints a placeholder instead.
public struct CMCAPIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Read only by `CoinMarketCapClient` when it builds the header.
    let secret: String

    init(_ secret: String) {
        self.secret = secret
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// Configuration of the market area (CoinMarketCap), built from the `--cmc.*` flags.
public struct MarketConfig: Sendable, CustomStringConvertible {
    public var enabled: Bool
    public var baseURL: URL
    /// nil: the keyless public API at a conservative pace.
    public var apiKey: CMCAPIKey?
    /// Tracked symbols, AKT first (it always is: the score and the account area's USD conversion need it).
    public var sector: [String]
    /// Ids given with `--cmc.ids`, which skip the `/map` look-up for those symbols.
    public var pinnedIDs: [String: Int]
    /// Normalised DePIN tags (`DePIN` → `depin`).
    public var depinTags: Set<String>
    public var monthlyCreditBudget: Int
    /// Fixed intervals that override the credit planner, in seconds.
    public var intervalOverrides: [CreditPlanner.Consumer: Double]
    /// The whole-request timeout, in seconds.
    public var timeout: Double

    public static let enabledFlag: Flag<Bool> = .bool(
        "cmc.enabled", default: true, help: "Poll CoinMarketCap for market signals (disable on a second replica to save credits).")
    public static let baseURLFlag: Flag<URL> = .url(
        "cmc.base-url", default: "https://pro-api.coinmarketcap.com",
        help: "CoinMarketCap API base URL; without a key the keyless paths under <base>/public-api are used.")
    public static let apiKeyFileFlag: Flag<String?> = .optionalString(
        "cmc.api-key-file", placeholder: "PATH",
        help: "File holding the CoinMarketCap API key (wins over the CMC_API_KEY environment variable).")
    public static let sectorFlag: Flag<[String]> = .list(
        "cmc.sector", default: "AKT,RENDER,FIL,HNT", repeatable: false, placeholder: "SYMBOLS",
        help: "Symbols of the tracked sector (AKT is always tracked).")
    public static let idsFlag: Flag<[String]> = .list(
        "cmc.ids", repeatable: false, placeholder: "SYMBOL=ID,...",
        help: "CoinMarketCap ids for symbols, skipping the /map look-up, e.g. AKT=7431,RENDER=5690.")
    public static let depinTagsFlag: Flag<[String]> = .list(
        "cmc.depin-tags", default: "depin,distributed-computing,ai-big-data,akash-ecosystem", repeatable: false,
        placeholder: "TAGS", help: "Listing tags that make an asset part of the DePIN sector.")
    public static let monthlyCreditBudgetFlag: Flag<Int> = .int(
        "cmc.monthly-credit-budget", default: 10_000, range: 1...100_000_000, placeholder: "CREDITS",
        help: "CoinMarketCap credits this exporter may spend a month; drives the poll schedule.")
    public static let quotesIntervalFlag: Flag<Double?> = .optionalDuration(
        "cmc.quotes-interval", help: "Fixed quotes poll interval (overrides the credit planner).")
    public static let macroIntervalFlag: Flag<Double?> = .optionalDuration(
        "cmc.macro-interval", help: "Fixed fear & greed / altcoin season poll interval (overrides the credit planner).")
    public static let listingsIntervalFlag: Flag<Double?> = .optionalDuration(
        "cmc.listings-interval", help: "Fixed listings poll interval (overrides the credit planner).")
    public static let timeoutFlag: Flag<Double> = .duration(
        "cmc.timeout", default: "10s", help: "Timeout of one CoinMarketCap request.")

    public static let flags = [enabledFlag.spec, baseURLFlag.spec, apiKeyFileFlag.spec, sectorFlag.spec, idsFlag.spec,
                               depinTagsFlag.spec, monthlyCreditBudgetFlag.spec, quotesIntervalFlag.spec,
                               macroIntervalFlag.spec, listingsIntervalFlag.spec, timeoutFlag.spec]

    /// The environment variable holding the key when no key file is given.
    public static let apiKeyEnvironment = "CMC_API_KEY"

    public init(_ flags: ParsedFlags, environment: [String: String]) throws(ConfigError) {
        enabled = try flags[Self.enabledFlag]
        baseURL = try flags[Self.baseURLFlag]
        apiKey = try Self.readKey(file: flags[Self.apiKeyFileFlag], environment: environment)
        pinnedIDs = try Self.parseIDs(flags[Self.idsFlag])
        sector = try Self.parseSector(flags[Self.sectorFlag], pinned: pinnedIDs)
        let tags = try flags[Self.depinTagsFlag]
        depinTags = Set(tags.map(DePINFilter.normalise).filter { !$0.isEmpty })
        if depinTags.isEmpty {
            throw .invalid(Self.depinTagsFlag.name, tags.joined(separator: ","),
                           expected: "a comma-separated list of tags such as depin,ai-big-data")
        }
        monthlyCreditBudget = try flags[Self.monthlyCreditBudgetFlag]
        var overrides: [CreditPlanner.Consumer: Double] = [:]
        overrides[.quotes] = try flags[Self.quotesIntervalFlag]
        overrides[.macro] = try flags[Self.macroIntervalFlag]
        overrides[.listings] = try flags[Self.listingsIntervalFlag]
        intervalOverrides = overrides
        timeout = try flags[Self.timeoutFlag]
    }

    /// The key file wins over `CMC_API_KEY`; whitespace around the key is dropped. Errors name the file, never
    /// its content.
    static func readKey(file: String?, environment: [String: String]) throws(ConfigError) -> CMCAPIKey? {
        let raw: String
        let origin: String
        if let file, !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .invalid(apiKeyFileFlag.name, file, expected: "a readable file holding the CoinMarketCap API key")
            }
            raw = String(decoding: data, as: UTF8.self)
            origin = "--cmc.api-key-file \"\(file)\""
            guard !raw.trimmingWhitespace().isEmpty else {
                throw .invalid(apiKeyFileFlag.name, file, expected: "a file holding the CoinMarketCap API key, but it is empty")
            }
        } else if let fromEnvironment = environment[apiKeyEnvironment],
                  !fromEnvironment.trimmingWhitespace().isEmpty {
            raw = fromEnvironment
            origin = apiKeyEnvironment
        } else {
            return nil
        }
        let key = raw.trimmingWhitespace()
        // A header value cannot hold spaces or control characters (and a newline would inject a header).
        guard key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw ConfigError("the CoinMarketCap API key from \(origin) contains spaces or control characters: expected one token")
        }
        return CMCAPIKey(key)
    }

    /// `AKT=7431,RENDER=5690`.
    static func parseIDs(_ pairs: [String]) throws(ConfigError) -> [String: Int] {
        var ids: [String: Int] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let symbol = Self.symbol(parts[0]), let id = Int(parts[1].trimmingWhitespace()), id > 0 else {
                throw .invalid(idsFlag.name, pair, expected: "SYMBOL=ID pairs such as AKT=7431,RENDER=5690")
            }
            ids[symbol] = id
        }
        return ids
    }

    /// AKT first, then the sector in the given order, then symbols only named in `--cmc.ids`; no repeats.
    static func parseSector(_ symbols: [String], pinned: [String: Int]) throws(ConfigError) -> [String] {
        var sector = ["AKT"]
        for raw in symbols {
            guard let symbol = Self.symbol(Substring(raw)) else {
                throw .invalid(sectorFlag.name, raw, expected: "ticker symbols of letters and digits such as AKT,RENDER,FIL,HNT")
            }
            if !sector.contains(symbol) { sector.append(symbol) }
        }
        for symbol in pinned.keys.sorted() where !sector.contains(symbol) { sector.append(symbol) }
        return sector
    }

    private static func symbol(_ raw: Substring) -> String? {
        let symbol = raw.trimmingWhitespace().uppercased()
        guard !symbol.isEmpty, symbol.count <= 20, symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return symbol
    }

    /// For the start-up log line and the landing page: never the key, only whether there is one.
    public var description: String {
        var parts = ["enabled=\(enabled)", "base_url=\(baseURL.absoluteString)", "api_key=\(apiKey == nil ? "none (keyless)" : "set")",
                     "sector=\(sector.joined(separator: ","))", "monthly_credit_budget=\(monthlyCreditBudget)"]
        for consumer in CreditPlanner.Consumer.allCases {
            if let interval = intervalOverrides[consumer] { parts.append("\(consumer.rawValue)_interval=\(DurationParser.format(interval))") }
        }
        return parts.joined(separator: " ")
    }
}
