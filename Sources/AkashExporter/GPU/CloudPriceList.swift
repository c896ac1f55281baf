import ExporterKit
import Exposition
import FoundationEssentials

/// One on-demand cloud instance with GPUs and what it costs.
struct CloudGPUPrice: Sendable, Equatable {
    var cloud: String
    var instanceType: String
    var region: String
    /// Vendor, model and ram are always given; the interface (`sxm`, `pcie`) only when the list says it.
    var gpu: GPUAttribute
    /// GPUs in one instance, at least 1.
    var gpus: Int
    /// USD per instance-hour, host CPU, memory and disk included.
    var usdPerHour: Double
    /// Where the price comes from (a catalog commit, a page), kept for attribution.
    var source: String?

    var usdPerGPUHour: Double { usdPerHour / Double(gpus) }
}

/// A dated list of cloud GPU prices: the shipped snapshot (`CloudPriceSnapshot`) or the user's
/// `--akash.cloud-prices-file`, both read by `parse`, so the default passes the same checks as a user's file.
///
/// Format: `{"as_of": "2026-11-01", "prices": [{"cloud", "instance_type", "region", "vendor", "model", "ram",
/// "interface"?, "gpus", "usd_per_hour", "source"?}]}`. Reading is strict, since the list is read once at start and
/// a silently skipped row would be a wrong comparison for months: a wrong type, a missing or unknown field (a typo),
/// gpus below 1, a price that is not a positive finite number, a bad date or a repeated row is an error naming
/// the entry and the field.
struct CloudPriceList: Sendable, Equatable {
    /// The date the prices were taken, as written (`2026-11-30`).
    var asOf: String
    /// `asOf` at 00:00 UTC, in Unix seconds.
    var asOfTimestamp: Double
    var prices: [CloudGPUPrice]

    /// What is wrong with a price list: one line, the entry first when there is one.
    struct Problem: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    static let entryFields = ["cloud", "instance_type", "region", "vendor", "model", "ram", "interface", "gpus",
                              "usd_per_hour", "source"]

    static func parse(_ data: Data) throws(Problem) -> CloudPriceList {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw Problem(description: "is not valid JSON" + (NonFiniteNumber.find(in: data).map { ": \($0)" } ?? ""))
        }
        guard case .object(let top) = document else { throw Problem(description: "is not a JSON object") }
        try Self.rejectUnknownFields(top, known: ["as_of", "prices"], in: "the top level")
        guard case .string(let asOf)? = top["as_of"] else {
            throw Problem(description: #"needs "as_of", a date such as "2026-11-01""#)
        }
        guard let asOfTimestamp = Self.timestamp(ofDate: asOf) else {
            throw Problem(description: #""as_of" is "\#(asOf)", expected a date YYYY-MM-DD such as "2026-11-01""#)
        }
        guard case .array(let entries)? = top["prices"] else {
            throw Problem(description: #"needs "prices", a list of instance prices"#)
        }
        var prices: [CloudGPUPrice] = []
        var seen: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let price = try Self.price(entry, index: index)
            let key = [price.cloud, price.instanceType, price.region, price.gpu.vendor, price.gpu.model, price.gpu.ram ?? ""]
                .joined(separator: "\u{0}")
            if let first = seen.updateValue(index, forKey: key) {
                throw Problem(description: "\(Self.name(of: entry, index: index)): repeats prices[\(first)] "
                    + "(same cloud, instance_type, region, vendor, model and ram)")
            }
            prices.append(price)
        }
        return CloudPriceList(asOf: asOf, asOfTimestamp: asOfTimestamp, prices: prices)
    }

    private static func price(_ entry: JSONValue, index: Int) throws(Problem) -> CloudGPUPrice {
        let name = Self.name(of: entry, index: index)
        guard case .object(let fields) = entry else { throw Problem(description: "\(name): is not a JSON object") }
        try rejectUnknownFields(fields, known: entryFields, in: name)
        func text(_ field: String, optional: Bool = false) throws(Problem) -> String? {
            if case .string(let value)? = fields[field], !value.isEmpty { return value }
            if optional, fields[field] == nil || fields[field] == .null { return nil }
            guard let other = fields[field] else { throw Problem(description: #"\#(name): "\#(field)" is missing"#) }
            throw Problem(description: #"\#(name): "\#(field)" is \#(other.summary), expected a non-empty string"#)
        }
        func number(_ field: String) throws(Problem) -> Double {
            switch fields[field] {
            case .number(let value)?: return value
            case nil: throw Problem(description: #"\#(name): "\#(field)" is missing"#)
            case let other?: throw Problem(description: #"\#(name): "\#(field)" is \#(other.summary), expected a number"#)
            }
        }
        let gpus = try number("gpus")
        guard gpus >= 1, gpus <= 1024, gpus == gpus.rounded() else {
            throw Problem(description: #"\#(name): "gpus" is \#(TextFormat.formatValue(gpus)), expected a whole number from 1 to 1024"#)
        }
        let usdPerHour = try number("usd_per_hour")
        guard usdPerHour.isFinite, usdPerHour > 0 else {
            throw Problem(description: #"\#(name): "usd_per_hour" is \#(TextFormat.formatValue(usdPerHour)), expected a positive number of USD per instance-hour"#)
        }
        return CloudGPUPrice(
            cloud: try text("cloud")!, instanceType: try text("instance_type")!, region: try text("region")!,
            gpu: GPUAttribute(vendor: try text("vendor")!, model: try text("model")!, ram: try text("ram")!,
                              interface: try text("interface", optional: true)),
            gpus: Int(gpus), usdPerHour: usdPerHour, source: try text("source", optional: true))
    }

    /// `prices[3] (aws p5.48xlarge us-east-1)`, or just `prices[3]` when the entry does not say.
    private static func name(of entry: JSONValue, index: Int) -> String {
        guard case .object(let fields) = entry else { return "prices[\(index)]" }
        let parts = ["cloud", "instance_type", "region"].compactMap { field -> String? in
            if case .string(let value)? = fields[field], !value.isEmpty { return value }
            return nil
        }
        return parts.isEmpty ? "prices[\(index)]" : "prices[\(index)] (\(parts.joined(separator: " ")))"
    }

    private static func rejectUnknownFields(_ fields: [String: JSONValue], known: [String], in place: String) throws(Problem) {
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw Problem(description: #"\#(place): unknown field "\#(unknown)" (known: \#(known.joined(separator: ", ")))"#)
        }
    }

    /// `YYYY-MM-DD` (a real calendar day) at 00:00 UTC in Unix seconds; nil for anything else.
    static func timestamp(ofDate text: String) -> Double? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1 else { return nil }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= monthDays[month - 1] else { return nil }
        return Double(CivilDate.daysSinceEpoch(year: year, month: month, day: day)) * 86_400
    }
}

extension JSONValue {
    /// What a value is, for messages: `the string "8"`, `null`, `a list`.
    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .number(let value): TextFormat.formatValue(value)
        case .string(let value): "the string \"\(value)\""
        case .array: "a list"
        case .object: "an object"
        }
    }
}

/// JSON has no NaN or infinity, and the decoder rejects a number beyond `Double` (`1e400`) with no position;
/// this finds such a literal so the message can say which one and where.
enum NonFiniteNumber {
    static func find(in data: Data) -> String? {
        var line = 1
        var inString = false
        var escaped = false
        var token: [UInt8] = []
        func check(_ token: [UInt8]) -> String? {
            guard !token.isEmpty else { return nil }
            let text = String(decoding: token, as: UTF8.self)
            if let value = Double(text), value.isFinite { return nil }
            guard text.first.map({ $0.isNumber || $0 == "-" || $0 == "N" || $0 == "I" || $0 == "+" }) == true,
                  !["null", "true", "false"].contains(text) else { return nil }
            return "\(text) on line \(line) is not a finite number"
        }
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                token = []
            case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: " "), UInt8(ascii: "\t"),
                 UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "{"):
                if let found = check(token) { return found }
                token = []
                if byte == UInt8(ascii: "\n") { line += 1 }
                continue
            default: token.append(byte)
            }
        }
        return check(token)
    }
}
