/// Renders metric families in the Prometheus text exposition format 0.0.4.
///
/// The output is deterministic: families sorted by name, samples by labels, so the same data gives the same
/// bytes (golden tests, and cheap change detection). `\n` line endings and a final newline.
public enum TextFormat {
    /// The `Content-Type` of the output (`expfmt.FmtText` in prometheus/common).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Renders `families`. Families of the same name are merged (their HELP and TYPE must agree); families
    /// without samples are left out; a repeated label set within a family is kept once (the first one given),
    /// because one duplicate makes Prometheus reject the whole scrape.
    public static func render(_ families: [MetricFamily]) throws(ExpositionError) -> [UInt8] {
        let merged = try mergeByName(families)
        var out: [UInt8] = []
        out.reserveCapacity(merged.reduce(0) { $0 + 64 + $1.samples.count * 96 })
        for family in merged {
            try write(family, into: &out)
        }
        return out
    }

    /// Renders to a `String` (tests, `--once`).
    public static func renderString(_ families: [MetricFamily]) throws(ExpositionError) -> String {
        String(decoding: try render(families), as: UTF8.self)
    }

    // MARK: - Families

    static func mergeByName(_ families: [MetricFamily]) throws(ExpositionError) -> [MetricFamily] {
        var byName: [String: MetricFamily] = [:]
        for family in families where !family.isEmpty {
            guard Names.isValidMetricName(family.name) else { throw .invalidMetricName(family.name) }
            if family.type == .counter && !family.name.hasSuffix("_total") {
                throw .counterWithoutTotalSuffix(family.name)
            }
            if var existing = byName[family.name] {
                guard existing.type == family.type, existing.help == family.help else {
                    throw .conflictingFamilies(family.name)
                }
                existing.merge(family)
                byName[family.name] = existing
            } else {
                byName[family.name] = family
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    static func write(_ family: MetricFamily, into out: inout [UInt8]) throws(ExpositionError) {
        out.append(contentsOf: "# HELP ".utf8)
        out.append(contentsOf: family.name.utf8)
        out.append(UInt8(ascii: " "))
        appendEscaped(family.help, quote: false, into: &out)
        out.append(contentsOf: "\n# TYPE ".utf8)
        out.append(contentsOf: family.name.utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: family.type.rawValue.utf8)
        out.append(UInt8(ascii: "\n"))

        let ordered = family.samples.enumerated().sorted { lhs, rhs in
            switch compare(lhs.element.labels, rhs.element.labels) {
            case .less: return true
            case .greater: return false
            case .equal: return lhs.offset < rhs.offset
            }
        }
        var previous: [Label]?
        for (_, sample) in ordered {
            if let previous, previous == sample.labels { continue }
            previous = sample.labels
            out.append(contentsOf: family.name.utf8)
            if !sample.labels.isEmpty {
                out.append(UInt8(ascii: "{"))
                for (index, label) in sample.labels.enumerated() {
                    guard Names.isValidLabelName(label.name) else {
                        throw .invalidLabelName(metric: family.name, label: label.name)
                    }
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: label.name.utf8)
                    out.append(contentsOf: "=\"".utf8)
                    appendEscaped(label.value, quote: true, into: &out)
                    out.append(UInt8(ascii: "\""))
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: formatValue(sample.value).utf8)
            out.append(UInt8(ascii: "\n"))
        }
    }

    // MARK: - Values and escaping

    /// Formats a sample value so that it parses back to the same `Double`: `NaN`, `+Inf`, `-Inf` spelled the
    /// Prometheus way, integral values without a fraction, everything else in Swift's shortest round-trip form
    /// (never `%g`, which loses digits).
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return value == 0 ? "0" : String(Int64(value))
        }
        return value.description
    }

    /// Label values escape `\`, `"` and line feed; HELP text escapes `\` and line feed only.
    static func appendEscaped(_ text: String, quote: Bool, into out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\"") where quote: out.append(contentsOf: "\\\"".utf8)
            default: out.append(byte)
            }
        }
    }

    static func compare(_ lhs: [Label], _ rhs: [Label]) -> ComparisonResult3 {
        for (left, right) in zip(lhs, rhs) {
            if left.name != right.name { return left.name < right.name ? .less : .greater }
            if left.value != right.value { return left.value < right.value ? .less : .greater }
        }
        if lhs.count == rhs.count { return .equal }
        return lhs.count < rhs.count ? .less : .greater
    }

    enum ComparisonResult3 { case less, equal, greater }
}

/// What makes an exposition impossible to render. These are programming errors (names are fixed in code),
/// reported instead of producing a body Prometheus would reject.
public enum ExpositionError: Error, Equatable, CustomStringConvertible {
    case invalidMetricName(String)
    case invalidLabelName(metric: String, label: String)
    case conflictingFamilies(String)
    case counterWithoutTotalSuffix(String)

    public var description: String {
        switch self {
        case .invalidMetricName(let name): "invalid metric name \"\(name)\": expected [a-zA-Z_:][a-zA-Z0-9_:]*"
        case .invalidLabelName(let metric, let label):
            "invalid label name \"\(label)\" on \(metric): expected [a-zA-Z_][a-zA-Z0-9_]*, not starting with __"
        case .conflictingFamilies(let name): "metric \(name) is declared twice with different HELP or TYPE"
        case .counterWithoutTotalSuffix(let name): "counter \(name) must end in _total"
        }
    }
}

/// Metric and label name rules of the Prometheus data model.
public enum Names {
    public static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let ok = isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first
    }

    public static func isValidLabelName(_ name: String) -> Bool {
        if name.hasPrefix("__") { return false }
        var first = true
        for byte in name.utf8 {
            let ok = isLetter(byte) || byte == UInt8(ascii: "_") || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first
    }

    private static func isLetter(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
    }

    private static func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
}
