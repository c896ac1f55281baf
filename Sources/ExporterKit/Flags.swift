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

    /// `web.listen-address` → `AKASH_EXPORTER_WEB_LISTEN_ADDRESS`.
    public var environmentName: String {
        "AKASH_EXPORTER_" + name.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}

/// A bad flag or value: one line naming it and what is expected. The exporter exits 2 on it.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    /// `invalid value "abc" for --web.listen-address: expected [host]:port, e.g. :9877`
    public static func invalid(_ flag: String, _ value: String, expected: String) -> ConfigError {
        ConfigError("invalid value \"\(value)\" for --\(flag): expected \(expected)")
    }

    public var description: String { message }
}

/// The outcome of parsing: `--help`, `--version`, or values to build configuration from.
public enum FlagParseResult: Sendable {
    case help
    case version
    case values(ParsedFlags)
}

/// Values after command line, environment and defaults were applied (in that order of precedence).
public struct ParsedFlags: Sendable {
    private var values: [String: [String]]
    private let specs: [String: FlagSpec]
    /// Flags given on the command line or in the environment (not defaulted).
    private let given: Set<String>

    init(values: [String: [String]], specs: [String: FlagSpec], given: Set<String>) {
        self.values = values
        self.specs = specs
        self.given = given
    }

    /// Whether the flag was given on the command line or in the environment, even with its default value.
    public func isSet(_ name: String) -> Bool {
        given.contains(name)
    }

    /// The value, or nil when neither given nor defaulted.
    public func string(_ name: String) -> String? {
        precondition(specs[name] != nil, "undeclared flag --\(name)")
        return values[name]?.last
    }

    /// All values of a repeatable flag, comma-separated lists split, blanks dropped.
    public func list(_ name: String) -> [String] {
        precondition(specs[name] != nil, "undeclared flag --\(name)")
        return (values[name] ?? []).flatMap { $0.split(separator: ",") }
            .map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    public func bool(_ name: String) throws(ConfigError) -> Bool {
        guard let raw = string(name) else { return false }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw .invalid(name, raw, expected: "true or false")
        }
    }

    /// A duration such as `30s`, `5m`, `1h30m`, `500ms`, in seconds; `0s` too when `allowingZero`.
    public func duration(_ name: String, allowingZero: Bool = false) throws(ConfigError) -> Double? {
        guard let raw = string(name) else { return nil }
        guard let seconds = DurationParser.seconds(raw), seconds > 0 || (allowingZero && seconds == 0) else {
            throw .invalid(name, raw, expected: allowingZero ? "a duration such as 0s, 10s or 1m"
                                                            : "a positive duration such as 30s, 5m or 1h")
        }
        return seconds
    }

    public func int(_ name: String, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let raw = string(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw .invalid(name, raw, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }


    /// An http(s) URL, possibly with a path prefix.
    public func url(_ name: String) throws(ConfigError) -> URL? {
        guard let raw = string(name) else { return nil }
        // No user:password@ part: the URL is logged at start, and credentials do not belong in it.
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil, url.user == nil, url.password == nil else {
            throw .invalid(name, raw, expected: "an http:// or https:// URL without credentials or a query, e.g. https://example.com/prefix")
        }
        return url
    }

}

/// Parses `--name=value`, `--name value`, `--flag` / `--no-flag` for booleans, `--help`, `--version`.
public enum FlagParser {
    public static func parse(_ arguments: [String], specs: [FlagSpec],
                             environment: [String: String]) throws(ConfigError) -> FlagParseResult {
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
        var given: Set<String> = []
        for spec in specs {
            if let fromCommandLine = fromArguments[spec.name] {
                resolved[spec.name] = fromCommandLine
                given.insert(spec.name)
            } else if let fromEnvironment = (spec.extraEnvironment + [spec.environmentName]).lazy
                .compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) {
                resolved[spec.name] = [fromEnvironment]
                given.insert(spec.name)
            } else if let defaultValue = spec.defaultValue {
                resolved[spec.name] = [defaultValue]
            }
        }
        return .values(ParsedFlags(values: resolved, specs: byName, given: given))
    }

    /// The `--help` text: usage line, then every flag with its default and environment variable.
    public static func usage(program: String, summary: String, specs: [FlagSpec]) -> String {
        var lines = ["usage: \(program) [flags]", "", summary, "", "Flags:"]
        lines.append("  --help                 Show this help and exit.")
        lines.append("  --version              Show the version and exit.")
        for spec in specs.sorted(by: { $0.name < $1.name }) {
            let head = spec.kind == .bool ? "--[no-]\(spec.name)" : "--\(spec.name)=\(spec.placeholder)"
            var text = spec.help
            if let defaultValue = spec.defaultValue { text += " (default: \(defaultValue.isEmpty ? "\"\"" : defaultValue))" }
            if spec.kind == .repeatable { text += " Repeatable; comma-separated lists accepted." }
            let envs = (spec.extraEnvironment + [spec.environmentName]).joined(separator: ", ")
            lines.append("  \(head)")
            lines.append("      \(text)")
            lines.append("      env: \(envs)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Go-style durations: `1h30m`, `5m`, `30s`, `250ms`; a bare number is seconds.
public enum DurationParser {
    public static func seconds(_ text: String) -> Double? {
        if let plain = Double(text), plain.isFinite { return plain }
        var total = 0.0
        var number = ""
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while let first = rest.first {
            if first.isNumber || first == "." {
                number.append(first)
                rest = rest.dropFirst()
                continue
            }
            guard let value = Double(number) else { return nil }
            let unit: Double
            if rest.hasPrefix("ms") { unit = 0.001; rest = rest.dropFirst(2) }
            else if rest.hasPrefix("h") { unit = 3600; rest = rest.dropFirst() }
            else if rest.hasPrefix("m") { unit = 60; rest = rest.dropFirst() }
            else if rest.hasPrefix("s") { unit = 1; rest = rest.dropFirst() }
            else if rest.hasPrefix("d") { unit = 86_400; rest = rest.dropFirst() }
            else { return nil }
            total += value * unit
            number = ""
        }
        return number.isEmpty ? total : nil
    }

    /// `3600` → `1h`, `90` → `1m30s`, for help texts and the landing page.
    public static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var remaining = Int(seconds.rounded())
        var text = ""
        for (unit, size) in [("h", 3600), ("m", 60), ("s", 1)] where remaining >= size {
            text += "\(remaining / size)\(unit)"
            remaining %= size
        }
        return text.isEmpty ? "0s" : text
    }
}
