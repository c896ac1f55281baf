/// Bech32 (BIP-173) address checking, enough to catch a mistyped `--akash.owner` at start instead of polling
/// an address that can never have leases. Cosmos chains use the original bech32 checksum (constant 1),
/// not bech32m.
public enum Bech32 {
    /// What is wrong with an address, worded for the operator who typed it.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty
        case tooLong(Int)
        case mixedCase
        case invalidCharacter(Character, position: Int)
        case missingSeparator
        case wrongPrefix(found: String, expected: String)
        case tooShort
        case badChecksum
        case badPayload(String)

        public var description: String {
            switch self {
            case .empty: "the address is empty"
            case .tooLong(let count): "it is \(count) characters long, a bech32 address has at most 90"
            case .mixedCase: "it mixes upper and lower case, which bech32 forbids"
            case .invalidCharacter(let character, let position):
                "character \"\(character)\" at position \(position) is not in the bech32 alphabet "
                    + "(qpzry9x8gf2tvdw0s3jn54khce6mua7l: no 1, b, i or o after the separator)"
            case .missingSeparator: "it has no \"1\" separator between the prefix and the data"
            case .wrongPrefix(let found, let expected): "the prefix is \"\(found)\", expected \"\(expected)\""
            case .tooShort: "the data part is shorter than the 6-character checksum"
            case .badChecksum: "the checksum does not match (a typo or a truncated copy?)"
            case .badPayload(let why): "the data part \(why)"
            }
        }
    }

    static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    /// Byte → 5-bit value, -1 when not in the alphabet (lower case only; input is lower-cased first).
    static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    /// Checks `address` against `prefix` and returns its payload bytes (20 for an account, 32 for a contract).
    /// All upper case is valid bech32 and is accepted; the caller should use the lower-cased form.
    @discardableResult
    public static func decode(_ address: String, expectingPrefix prefix: String) throws(Problem) -> [UInt8] {
        guard !address.isEmpty else { throw .empty }
        // Printable ASCII only (BIP-173); checked on scalars so that "é" is reported as itself.
        for (index, scalar) in address.unicodeScalars.enumerated() where scalar.value < 33 || scalar.value > 126 {
            throw .invalidCharacter(Character(scalar), position: index + 1)
        }
        let bytes = Array(address.utf8)
        guard bytes.count <= 90 else { throw .tooLong(bytes.count) }
        let hasLower = bytes.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        let hasUpper = bytes.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        guard !(hasLower && hasUpper) else { throw .mixedCase }
        let lower = Array(address.lowercased().utf8)
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")), separator > 0 else { throw .missingSeparator }
        let hrp = String(decoding: lower[..<separator], as: UTF8.self)
        guard hrp == prefix else { throw .wrongPrefix(found: hrp, expected: prefix) }
        var data: [UInt8] = []
        for index in (separator + 1)..<lower.count {
            let value = values[Int(lower[index])]
            guard value >= 0 else {
                throw .invalidCharacter(Character(Unicode.Scalar(bytes[index])), position: index + 1)
            }
            data.append(UInt8(value))
        }
        guard data.count >= 6 else { throw .tooShort }
        guard polymod(expand(hrp) + data) == 1 else { throw .badChecksum }
        let payload = try regroup(data.dropLast(6))
        guard payload.count == 20 || payload.count == 32 else {
            throw .badPayload("holds \(payload.count) bytes, expected 20 (an account) or 32")
        }
        return payload
    }

    /// The BCH checksum of BIP-173.
    static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ff_ffff) << 5 ^ UInt32(value)
            for bit in 0..<5 where (top >> bit) & 1 == 1 { checksum ^= generator[bit] }
        }
        return checksum
    }

    static func expand(_ hrp: String) -> [UInt8] {
        let bytes = Array(hrp.utf8)
        return bytes.map { $0 >> 5 } + [0] + bytes.map { $0 & 31 }
    }

    /// 5-bit groups → bytes; leftover bits must be fewer than 5 and zero (BIP-173 `convertbits`, no padding).
    static func regroup(_ groups: ArraySlice<UInt8>) throws(Problem) -> [UInt8] {
        var accumulator: UInt32 = 0
        var bits = 0
        var out: [UInt8] = []
        for group in groups {
            accumulator = accumulator << 5 | UInt32(group)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xff))
            }
        }
        guard bits < 5, accumulator & ((1 << UInt32(bits)) - 1) == 0 else {
            throw .badPayload("has non-zero padding bits")
        }
        return out
    }
}
