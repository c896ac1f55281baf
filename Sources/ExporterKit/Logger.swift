import FoundationEssentials
import Synchronization

/// Structured logging to stderr, logfmt (default) or JSON, the way promslog does it:
/// `time=... level=info source=cmc_quotes msg="poll failed" reason=timeout`.
public final class Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warn, error

        public var name: String { ["debug", "info", "warn", "error"][rawValue] }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public enum Format: String, Sendable, CaseIterable {
        case logfmt, json
    }

    public let level: Level
    public let format: Format
    private let sink: @Sendable (String) -> Void
    private let lock = Mutex(())

    /// - Parameter sink: where finished lines go (stderr by default; tests capture them).
    public init(level: Level = .info, format: Format = .logfmt, sink: (@Sendable (String) -> Void)? = nil) {
        self.level = level
        self.format = format
        self.sink = sink ?? { line in SystemFile.writeStandardError(line) }
    }

    public func debug(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.info, message, fields) }
    public func warn(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.warn, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.error, message, fields) }

    public func log(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, String>) {
        guard level >= self.level else { return }
        let pairs = [("time", Self.timestamp()), ("level", level.name), ("msg", message)] + fields.map { ($0.key, $0.value) }
        let line = format == .json ? Self.json(pairs) : Self.logfmt(pairs)
        lock.withLock { _ in sink(line + "\n") }
    }

    /// go-logfmt's rules: a value is quoted when empty or holding a space, control character, `=` or `"`; inside
    /// quotes `\`, `"` and control characters are escaped, so one event is always one line.
    static func logfmt(_ pairs: [(String, String)]) -> String {
        pairs.map { key, value in
            let needsQuotes = value.isEmpty
                || value.unicodeScalars.contains { $0.value <= 0x20 || $0 == "=" || $0 == "\"" || $0.value == 0x7f }
            guard needsQuotes else { return "\(key)=\(value)" }
            return "\(key)=" + jsonString(value)
        }.joined(separator: " ")
    }

    static func json(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u" + Digits.hex(scalar.value, width: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
