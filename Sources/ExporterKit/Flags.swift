import Durations
import FoundationEssentials

/// One command-line flag. Every flag has an environment fallback: `--web.listen-address` reads
/// `AKASH_EXPORTER_WEB_LISTEN_ADDRESS` when not given on the command line. Each area of the exporter declares its
/// own flags next to the code that uses them (node_exporter's collectors do the same with kingpin).
public struct FlagSpec: Sendable {
    public enum Kind: Sendable { case value, bool, repeatable }

    public let name: String
    public let help: String
    public let defaultValue: String?
    public let kind: Kind
    /// Extra environment variables read before the derived one (e.g. `CMC_API_KEY`).
    public let extraEnvironment: [String]
    /// Placeholder shown in `--help` (`ADDRESS`, `DURATION`).
    public let placeholder: String

    public init(_ name: String, default defaultValue: String? = nil, kind: Kind = .value, placeholder: String = "VALUE",
                env extraEnvironment: [String] = [], help: String) {
        self.name = name
        self.help = help
        self.defaultValue = defaultValue
        self.kind = kind
        self.extraEnvironment = extraEnvironment
        self.placeholder = placeholder
    }

    /// With the prefix `AKASH_EXPORTER_`: `web.listen-address` → `AKASH_EXPORTER_WEB_LISTEN_ADDRESS`.
    public func environmentName(prefix: String) -> String {
        prefix + name.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}

/// A bad flag or value: one line naming it and what is expected. The exporter exits 2 on it.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public let message: String
    /// The flag whose value is wrong, when one is: its environment variable is named too if the value came from it.
    public let flag: String?

    public init(_ message: String, flag: String? = nil) {
        self.message = message
        self.flag = flag
    }

    /// `invalid value "abc" for --web.listen-address: expected [host]:port, e.g. :9877`
    public static func invalid(_ flag: String, _ value: String, expected: String) -> ConfigError {
        ConfigError("invalid value \"\(value)\" for --\(flag): expected \(expected)", flag: flag)
    }

    /// The same error, saying which environment variable gave the value (a systemd environment file, a container's
    /// env), when the flag's value came from one: there is no `--flag` on that command line to look for.
    public func naming(environmentOf flags: ParsedFlags) -> ConfigError {
        guard let flag, let variable = flags.environmentVariable(of: flag) else { return self }
        return ConfigError("\(message) (from the environment variable \(variable))", flag: flag)
    }

    public var description: String { message }

    /// Errors are the same when they say the same.
    public static func == (lhs: ConfigError, rhs: ConfigError) -> Bool {
        lhs.message == rhs.message
    }
}

/// The outcome of parsing: `--help`, `--version`, or values to build configuration from.
public enum FlagParseResult: Sendable {
    case help
    case version
    case values(ParsedFlags)
}

/// A flag declared once, with its type and default, and read back through this handle:
/// `static let interval: Flag<Double> = .duration("akash.account-interval", default: "1m", help: ...)`, then
/// `try flags[AccountConfig.interval]`. The name is written only here, so a misspelt one cannot be read.
public struct Flag<Value: Sendable>: Sendable {
    public let spec: FlagSpec
    /// Turns the values given (command line, environment, else the default; empty when none) into the value.
    private let convert: @Sendable (_ raw: [String]) throws(ConfigError) -> Value

    public init(_ spec: FlagSpec, convert: @escaping @Sendable (_ raw: [String]) throws(ConfigError) -> Value) {
        self.spec = spec
        self.convert = convert
    }

    public var name: String { spec.name }

    /// The value when the flag is not given: its declared default, converted.
    public var defaultValue: Value {
        // A default that does not convert is a mistake in the declaration itself: stop at once, naming it.
        do {
            return try convert(spec.defaultValue.map { [$0] } ?? [])
        } catch {
            preconditionFailure("the default of --\(name) is invalid: \(error)")
        }
    }

    func value(_ raw: [String]) throws(ConfigError) -> Value {
        try convert(raw)
    }
}

extension Flag where Value == String {
    public static func string(_ name: String, default defaultValue: String, placeholder: String,
                              help: String) -> Flag<String> {
        Flag(FlagSpec(name, default: defaultValue, placeholder: placeholder, help: help)) { raw in raw.last ?? defaultValue }
    }
}

extension Flag where Value == String? {
    /// A text flag without a default; nil when not given.
    public static func optionalString(_ name: String, placeholder: String, env: [String] = [],
                                      help: String) -> Flag<String?> {
        Flag(FlagSpec(name, placeholder: placeholder, env: env, help: help)) { raw in raw.last }
    }
}

extension Flag where Value == Bool {
    /// `--name`, `--no-name`, `--name=true|false|1|0|yes|no`.
    public static func bool(_ name: String, default defaultValue: Bool = false, help: String) -> Flag<Bool> {
        Flag(FlagSpec(name, default: defaultValue ? "true" : nil, kind: .bool, help: help)) { raw throws(ConfigError) in
            guard let text = raw.last else { return defaultValue }
            switch text.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw .invalid(name, text, expected: "true or false")
            }
        }
    }
}

extension Flag where Value == Double {
    /// A duration such as `30s`, `5m`, `1h30m`, `500ms`, in seconds; `0s` too when `allowingZero`.
    public static func duration(_ name: String, default defaultValue: String, allowingZero: Bool = false,
                                help: String) -> Flag<Double> {
        Flag(FlagSpec(name, default: defaultValue, placeholder: "DURATION", help: help)) { raw throws(ConfigError) in
            try Durations.seconds(raw.last ?? defaultValue, flag: name, allowingZero: allowingZero)
        }
    }
}

extension Flag where Value == Double? {
    /// A duration without a default (an override); nil when not given.
    public static func optionalDuration(_ name: String, help: String) -> Flag<Double?> {
        Flag(FlagSpec(name, placeholder: "DURATION", help: help)) { raw throws(ConfigError) in
            guard let text = raw.last else { return nil }
            return try Durations.seconds(text, flag: name)
        }
    }
}

extension Flag where Value == Int {
    public static func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>, placeholder: String,
                           help: String) -> Flag<Int> {
        Flag(FlagSpec(name, default: String(defaultValue), placeholder: placeholder, help: help)) { raw throws(ConfigError) in
            guard let text = raw.last else { return defaultValue }
            guard let value = Int(text), range.contains(value) else {
                throw .invalid(name, text, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
    }
}

extension Flag where Value == URL {
    /// An http(s) URL, possibly with a path prefix, without credentials or a query (the URL is logged at start).
    public static func url(_ name: String, default defaultValue: String, help: String) -> Flag<URL> {
        Flag(FlagSpec(name, default: defaultValue, placeholder: "URL", help: help)) { raw throws(ConfigError) in
            let text = raw.last ?? defaultValue
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host, !host.isEmpty, url.query == nil, url.user == nil, url.password == nil else {
                throw .invalid(name, text, expected: "an http:// or https:// URL without credentials or a query, e.g. https://example.com/prefix")
            }
            return url
        }
    }
}

extension Flag where Value == [String] {
    /// A comma-separated list, blanks dropped; with `repeatable` the flag may also be given several times (the
    /// lists add up), otherwise the last one given wins.
    public static func list(_ name: String, default defaultValue: String? = nil, repeatable: Bool = true,
                            placeholder: String, help: String) -> Flag<[String]> {
        Flag(FlagSpec(name, default: defaultValue, kind: repeatable ? .repeatable : .value, placeholder: placeholder,
                      help: help)) { raw in
            (raw.isEmpty ? defaultValue.map { [$0] } ?? [] : raw).flatMap { $0.split(separator: ",") }
                .map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        }
    }
}

/// Durations as flags take them: positive, Go-style.
enum Durations {
    static func seconds(_ text: String, flag: String, allowingZero: Bool = false) throws(ConfigError) -> Double {
        guard let seconds = DurationParser.seconds(text), seconds > 0 || (allowingZero && seconds == 0) else {
            throw .invalid(flag, text, expected: allowingZero ? "a duration such as 0s, 10s or 1m"
                                                             : "a positive duration such as 30s, 5m or 1h")
        }
        return seconds
    }
}

/// Values after command line, environment and defaults were applied (in that order of precedence).
public struct ParsedFlags: Sendable {
    private let values: [String: [String]]
    private let specs: [String: FlagSpec]
    /// The environment variable each flag's value came from, for the flags not on the command line.
    private let environmentOrigins: [String: String]

    init(values: [String: [String]], specs: [String: FlagSpec], environmentOrigins: [String: String] = [:]) {
        self.values = values
        self.specs = specs
        self.environmentOrigins = environmentOrigins
    }

    /// The environment variable that gave `flag` its value; nil when it came from the command line or the default.
    public func environmentVariable(of flag: String) -> String? {
        environmentOrigins[flag]
    }

    /// The flag's value. A flag left out of the list given to the parser is a mistake in the program: it stops.
    public subscript<Value>(_ flag: Flag<Value>) -> Value {
        get throws(ConfigError) {
            precondition(specs[flag.name] != nil, "flag --\(flag.name) is not among the flags given to FlagParser.parse")
            return try flag.value(values[flag.name] ?? [])
        }
    }
}

/// Parses `--name=value`, `--name value`, `--flag` / `--no-flag` for booleans, `--help`, `--version`.
public enum FlagParser {
    /// - Parameter environmentPrefix: the application's prefix of every flag's environment variable (`AKASH_EXPORTER_`).
    public static func parse(_ arguments: [String], specs: [FlagSpec], environment: [String: String],
                             environmentPrefix: String) throws(ConfigError) -> FlagParseResult {
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var fromArguments: [String: [String]] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--help" || argument == "-h" { return .help }
            if argument == "--version" { return .version }
            guard argument.hasPrefix("--") else {
                throw ConfigError("unexpected argument \"\(argument)\": flags start with --, see --help")
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            var spec = byName[name]
            if spec == nil, name.hasPrefix("no-"), let negated = byName[String(name.dropFirst(3))], negated.kind == .bool,
               value == nil {
                spec = negated
                value = "false"
                name = negated.name
            }
            guard let spec else { throw ConfigError("unknown flag --\(name): see --help for the flags") }
            if value == nil {
                if spec.kind == .bool {
                    value = "true"
                } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                    value = arguments[index]
                    index += 1
                } else {
                    throw ConfigError("flag --\(name) needs a value: expected \(spec.placeholder)")
                }
            }
            if spec.kind == .repeatable {
                fromArguments[name, default: []].append(value!)
            } else {
                fromArguments[name] = [value!]
            }
        }
        var resolved: [String: [String]] = [:]
        var origins: [String: String] = [:]
        for spec in specs {
            if let fromCommandLine = fromArguments[spec.name] {
                resolved[spec.name] = fromCommandLine
            } else if let variable = (spec.extraEnvironment + [spec.environmentName(prefix: environmentPrefix)])
                .first(where: { !(environment[$0] ?? "").isEmpty }) {
                resolved[spec.name] = [environment[variable]!]
                origins[spec.name] = variable
            } else if let defaultValue = spec.defaultValue {
                resolved[spec.name] = [defaultValue]
            }
        }
        return .values(ParsedFlags(values: resolved, specs: byName, environmentOrigins: origins))
    }

    /// The `--help` text: usage line, then every flag with its default and environment variable.
    public static func usage(program: String, summary: String, specs: [FlagSpec], environmentPrefix: String) -> String {
        var lines = ["usage: \(program) [flags]", "", summary, "", "Flags:"]
        lines.append("  --help                 Show this help and exit.")
        lines.append("  --version              Show the version and exit.")
        for spec in specs.sorted(by: { $0.name < $1.name }) {
            let head = spec.kind == .bool ? "--[no-]\(spec.name)" : "--\(spec.name)=\(spec.placeholder)"
            var text = spec.help
            if let defaultValue = spec.defaultValue { text += " (default: \(defaultValue.isEmpty ? "\"\"" : defaultValue))" }
            if spec.kind == .repeatable { text += " Repeatable; comma-separated lists accepted." }
            let envs = (spec.extraEnvironment + [spec.environmentName(prefix: environmentPrefix)]).joined(separator: ", ")
            lines.append("  \(head)")
            lines.append("      \(text)")
            lines.append("      env: \(envs)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The flags' durations: `1h30m`, `5m`, `30s`, `250ms`, `1d`; a bare number is seconds (`DurationText`'s flag dialect,
/// the one grammar the web config's Go durations share).
public enum DurationParser {
    public static func seconds(_ text: String) -> Double? {
        DurationText.seconds(text, dialect: .flag)
    }

    /// `3600` → `1h`, `90` → `1m30s`, for help texts and the landing page.
    public static func format(_ seconds: Double) -> String {
        DurationText.format(seconds)
    }
}
