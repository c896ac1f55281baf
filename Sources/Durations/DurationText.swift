/// Durations as the Prometheus ecosystem writes them, parsed by one grammar in two dialects:
/// - `.go`, Go's `time.ParseDuration` as exporter-toolkit's web config reads it: `0`, or numbers each with a unit among
///   `ns`, `us` (`µs`), `ms`, `s`, `m`, `h` (`1h30m`, `250ms`);
/// - `.flag`, the exporter's flags: the same units plus `d` (days), and a bare number meaning seconds (`90`).
/// Signs are refused: nothing here may be negative.
public enum DurationText {
    public enum Dialect: Sendable {
        case go
        case flag
    }

    /// Longest first, so that `ms` wins over `m` and `ns` over `s`.
    private static let units: [(name: String, seconds: Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400),
    ].sorted { $0.0.count > $1.0.count }

    public static func seconds(_ text: String, dialect: Dialect) -> Double? {
        if text == "0" { return 0 }
        if dialect == .flag, let plain = Double(text), plain.isFinite, plain >= 0, text.first?.isNumber == true { return plain }
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.name) }), dialect == .flag || unit.name != "d" else {
                return nil
            }
            total += value * unit.seconds
            rest = rest.dropFirst(unit.name.count)
        }
        return total
    }

    /// `3600` → `1h`, `90` → `1m30s`, `0.25` → `250ms`: for help texts, log lines and the landing page.
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
