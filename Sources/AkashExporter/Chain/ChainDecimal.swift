/// An exact non-negative decimal with 18 fractional digits: the amount of a Cosmos `DecCoin`
/// (`"4.826603000000000000"`, `"292317.570000000000000000"`), stored as the value times 10^18 in an `Int128`.
///
/// Why not `Double(string)`: a price per block times a few million blocks is subtracted from an escrow balance,
/// and the strings carry 18 fractional digits on top of integer parts that already use most of a Double's
/// 53 bits; parsing exactly and converting once, at the end, keeps the arithmetic honest. `Int128` holds
/// integer parts up to 1.7e20 micro-units (1.7e14 whole tokens), far above any supply on the chain.
public struct ChainDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Digits after the point in Cosmos `sdk.Dec` (`LegacyPrecision`).
    public static let fractionDigits = 18
    static let one: Int128 = 1_000_000_000_000_000_000

    /// The value times 10^18.
    public let scaled: Int128

    public static let zero = ChainDecimal(scaled: 0)

    public init(scaled: Int128) {
        precondition(scaled >= 0, "chain amounts are non-negative")
        self.scaled = scaled
    }

    /// A whole number of micro-units.
    public init(_ integer: Int64) {
        self.init(scaled: Int128(integer) * Self.one)
    }

    /// Parses `digits` or `digits.digits` (1 to 18 fractional digits), the way the chain writes amounts.
    /// Signs, exponents, blanks, an empty side of the point, more than 18 fractional digits and values beyond
    /// the `Int128` range are rejected (nil).
    public init?(_ text: some StringProtocol) {
        var scaled: Int128 = 0
        var integerDigits = 0
        var fractionDigits = 0
        var seenPoint = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint, integerDigits > 0 else { return nil }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= Self.fractionDigits else { return nil }
            } else {
                integerDigits += 1
            }
            let (times10, overflow) = scaled.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(Int128(byte - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            scaled = next
        }
        guard integerDigits > 0, !seenPoint || fractionDigits > 0 else { return nil }
        // Scale the digits read so far up to 18 fractional places.
        for _ in fractionDigits..<Self.fractionDigits {
            let (next, overflow) = scaled.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            scaled = next
        }
        self.scaled = scaled
    }

    /// The chain's own spelling: always 18 fractional digits.
    public var description: String {
        let fraction = String(scaled % Self.one)
        return String(scaled / Self.one) + "." + String(repeating: "0", count: Self.fractionDigits - fraction.count) + fraction
    }

    public var isZero: Bool { scaled == 0 }

    /// The nearest `Double`, converted in two exact halves so that the integer part is never rounded through
    /// the fraction.
    public var doubleValue: Double {
        Double(scaled / Self.one) + Double(scaled % Self.one) / 1e18
    }

    public static func < (lhs: ChainDecimal, rhs: ChainDecimal) -> Bool { lhs.scaled < rhs.scaled }

    /// The sum, or nil if it leaves the `Int128` range (only a broken upstream could get there).
    public func adding(_ other: ChainDecimal) -> ChainDecimal? {
        let (sum, overflow) = scaled.addingReportingOverflow(other.scaled)
        return overflow ? nil : ChainDecimal(scaled: sum)
    }

    /// `self × count` (a price per block times a number of blocks), or nil beyond the `Int128` range.
    public func multiplied(by count: Int64) -> ChainDecimal? {
        guard count >= 0 else { return nil }
        let (product, overflow) = scaled.multipliedReportingOverflow(by: Int128(count))
        return overflow ? nil : ChainDecimal(scaled: product)
    }

    /// `self − other`, or zero when `other` is larger: what is left cannot go below nothing.
    public func subtractingClampedAtZero(_ other: ChainDecimal) -> ChainDecimal {
        other.scaled >= scaled ? .zero : ChainDecimal(scaled: scaled - other.scaled)
    }

    /// `self / other` as a `Double`, nil when `other` is zero. The whole part is divided exactly, so that
    /// 233854.056 / 584.63514 is 400, not 400.0000000000001.
    public func ratio(to other: ChainDecimal) -> Double? {
        guard !other.isZero else { return nil }
        let (quotient, remainder) = scaled.quotientAndRemainder(dividingBy: other.scaled)
        return Double(quotient) + Double(remainder) / Double(other.scaled)
    }
}

extension ChainDecimal: Decodable {
    /// Amounts are JSON strings on the chain REST API; anything else is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = ChainDecimal(text) else {
            throw DecodingError.dataCorruptedError(in: container,
                                                   debugDescription: "expected a non-negative decimal with at most 18 fractional digits")
        }
        self = value
    }
}

/// A Cosmos `DecCoin` as the REST API writes it: `{"denom": "uact", "amount": "4.826603000000000000"}`.
public struct DecCoin: Decodable, Sendable, Equatable {
    public let denom: String
    public let amount: ChainDecimal

    public init(denom: String, amount: ChainDecimal) {
        self.denom = denom
        self.amount = amount
    }
}
