/// A validating pull scanner over JSON bytes, the ground `ScanningJSONDecoder` stands on. It reads in place:
/// nothing is allocated while values are skipped or located, only when a string is asked for as a `String`.
///
/// The grammar is RFC 8259's, as strict as `JSONDecoder`: no comments, no trailing commas, no leading zeros,
/// control characters only as escapes, at most `maxDepth` nested arrays and objects.
struct JSONScanner {
    /// `JSONDecoder`'s own nesting limit: deeper documents are refused rather than recursed into.
    static let maxDepth = 512

    /// Where and why the bytes are not JSON. It never holds the input.
    struct Malformed: Error {
        let offset: Int
        let problem: String
    }

    /// What a value starting at some offset is, told from its first byte.
    enum Kind {
        case object, array, string, number, bool, null
    }

    let bytes: UnsafeBufferPointer<UInt8>

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Structure

    /// The offset of the first byte at or after `offset` that is not JSON whitespace (`count` at the end).
    func skipWhitespace(_ offset: Int) -> Int {
        var index = offset
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return index
            }
        }
        return index
    }

    /// The kind of the value starting at `offset` (no whitespace before it), nil when no value starts there.
    func kind(at offset: Int) -> Kind? {
        guard offset < bytes.count else { return nil }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: return nil
        }
    }

    /// Checks that the whole input is one JSON value with only whitespace around it; returns where the value starts.
    func validateDocument() throws(Malformed) -> Int {
        let start = skipWhitespace(0)
        guard start < bytes.count else { throw Malformed(offset: 0, problem: "no value") }
        let end = skipWhitespace(try skipValue(at: start))
        guard end == bytes.count else { throw Malformed(offset: end, problem: "more after the value") }
        return start
    }

    /// Validates the value starting at `offset` (no whitespace before it) and returns the offset just after it.
    func skipValue(at offset: Int, depth: Int = 0) throws(Malformed) -> Int {
        guard let kind = kind(at: offset) else { throw Malformed(offset: offset, problem: "no value") }
        switch kind {
        case .string: return try stringEnd(at: offset).end
        case .number: return try numberEnd(at: offset)
        case .bool: return try literalEnd(at: offset, bytes[offset] == UInt8(ascii: "t") ? "true" : "false")
        case .null: return try literalEnd(at: offset, "null")
        case .array:
            guard depth < Self.maxDepth else { throw Malformed(offset: offset, problem: "nested too deeply") }
            var index = skipWhitespace(offset + 1)
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { return index + 1 }
            while true {
                index = skipWhitespace(try skipValue(at: index, depth: depth + 1))
                guard index < bytes.count else { throw Malformed(offset: index, problem: "unterminated array") }
                if bytes[index] == UInt8(ascii: "]") { return index + 1 }
                guard bytes[index] == UInt8(ascii: ",") else { throw Malformed(offset: index, problem: "expected , or ]") }
                index = skipWhitespace(index + 1)
            }
        case .object:
            guard depth < Self.maxDepth else { throw Malformed(offset: offset, problem: "nested too deeply") }
            var index = skipWhitespace(offset + 1)
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return index + 1 }
            while true {
                let member = try member(at: index)
                index = skipWhitespace(try skipValue(at: member.value, depth: depth + 1))
                guard index < bytes.count else { throw Malformed(offset: index, problem: "unterminated object") }
                if bytes[index] == UInt8(ascii: "}") { return index + 1 }
                guard bytes[index] == UInt8(ascii: ",") else { throw Malformed(offset: index, problem: "expected , or }") }
                index = skipWhitespace(index + 1)
            }
        }
    }

    /// One `"key": ` of an object starting at `offset`: the key's string and where its value starts.
    func member(at offset: Int) throws(Malformed) -> (key: StringToken, value: Int) {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
            throw Malformed(offset: offset, problem: "expected a key")
        }
        let key = try stringEnd(at: offset)
        let colon = skipWhitespace(key.end)
        guard colon < bytes.count, bytes[colon] == UInt8(ascii: ":") else { throw Malformed(offset: colon, problem: "expected :") }
        return (key, skipWhitespace(colon + 1))
    }

    /// Calls `body` with each member of the object starting at `offset`, in order; returns the offset after the object.
    func forEachMember(ofObjectAt offset: Int,
                       _ body: (_ key: StringToken, _ value: Int) throws(Malformed) -> Void) throws(Malformed) -> Int {
        var index = skipWhitespace(offset + 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return index + 1 }
        while true {
            let member = try member(at: index)
            try body(member.key, member.value)
            index = skipWhitespace(try skipValue(at: member.value))
            guard index < bytes.count else { throw Malformed(offset: index, problem: "unterminated object") }
            if bytes[index] == UInt8(ascii: "}") { return index + 1 }
            guard bytes[index] == UInt8(ascii: ",") else { throw Malformed(offset: index, problem: "expected , or }") }
            index = skipWhitespace(index + 1)
        }
    }

    /// The start of the first element of the array starting at `offset`, or nil when the array is empty.
    func firstElement(ofArrayAt offset: Int) -> Int? {
        let index = skipWhitespace(offset + 1)
        return index < bytes.count && bytes[index] == UInt8(ascii: "]") ? nil : index
    }

    /// The start of the element after the one starting at `offset`, or nil when it was the last.
    func nextElement(after offset: Int) throws(Malformed) -> Int? {
        let index = skipWhitespace(try skipValue(at: offset))
        guard index < bytes.count else { throw Malformed(offset: index, problem: "unterminated array") }
        if bytes[index] == UInt8(ascii: "]") { return nil }
        guard bytes[index] == UInt8(ascii: ",") else { throw Malformed(offset: index, problem: "expected , or ]") }
        return skipWhitespace(index + 1)
    }

    // MARK: Strings

    /// A string in the input: its contents between the quotes, and whether they hold escapes.
    struct StringToken {
        let contents: Range<Int>
        let escaped: Bool
        /// The offset just after the closing quote.
        var end: Int { contents.upperBound + 1 }
    }

    /// The string starting at `offset` (on its opening quote), validated.
    func stringEnd(at offset: Int) throws(Malformed) -> StringToken {
        var index = offset + 1
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                return StringToken(contents: offset + 1..<index, escaped: escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                guard index + 1 < bytes.count else { throw Malformed(offset: offset, problem: "unterminated string") }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 5 < bytes.count, (2...5).allSatisfy({ hexValue(bytes[index + $0]) != nil }) else {
                        throw Malformed(offset: index, problem: "bad \\u escape")
                    }
                    index += 6
                default:
                    throw Malformed(offset: index, problem: "bad escape")
                }
            case 0..<0x20:
                throw Malformed(offset: index, problem: "control character in a string")
            default:
                index += 1
            }
        }
        throw Malformed(offset: offset, problem: "unterminated string")
    }

    /// Whether the string `token` holds exactly `text`, without making a `String` of it when it has no escapes.
    func string(_ token: StringToken, equals text: String) throws(Malformed) -> Bool {
        guard token.escaped else {
            var utf8 = text.utf8.makeIterator()
            for index in token.contents {
                guard let byte = utf8.next(), byte == bytes[index] else { return false }
            }
            return utf8.next() == nil
        }
        return try string(token) == text
    }

    /// The string `token` decoded: escapes resolved, surrogate pairs joined.
    func string(_ token: StringToken) throws(Malformed) -> String {
        let contents = UnsafeBufferPointer(rebasing: bytes[token.contents])
        guard token.escaped else { return String(decoding: contents, as: UTF8.self) }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(contents.count)
        var index = 0
        while index < contents.count {
            let byte = contents[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            let escape = contents[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(contents, index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard index + 6 <= contents.count, contents[index] == UInt8(ascii: "\\"), contents[index + 1] == UInt8(ascii: "u")
                    else { throw Malformed(offset: token.contents.lowerBound + index, problem: "lone surrogate") }
                    let low = hex4(contents, index + 2)
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw Malformed(offset: token.contents.lowerBound + index, problem: "lone surrogate")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw Malformed(offset: token.contents.lowerBound + index, problem: "lone surrogate")
                }
                utf8.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default: utf8.append(escape)  // " \ /
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private func hex4(_ contents: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 4 | UInt32(hexValue(contents[index + $1])!) }
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Numbers and literals

    /// The number starting at `offset`, validated; returns the offset after it.
    func numberEnd(at offset: Int) throws(Malformed) -> Int {
        var index = offset
        func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0 else { throw Malformed(offset: offset, problem: "bad number") }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw Malformed(offset: offset, problem: "leading zero")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw Malformed(offset: offset, problem: "bad number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw Malformed(offset: offset, problem: "bad number") }
        }
        return index
    }

    private func literalEnd(at offset: Int, _ literal: StaticString) throws(Malformed) -> Int {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw Malformed(offset: offset, problem: "bad literal") }
        for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] {
            throw Malformed(offset: offset, problem: "bad literal")
        }
        return offset + count
    }

    /// The number starting at `offset`: its text (ASCII, short) and whether it is an integer (no fraction, no
    /// exponent).
    func number(at offset: Int) throws(Malformed) -> (text: String, isInteger: Bool) {
        let end = try numberEnd(at: offset)
        let digits = UnsafeBufferPointer(rebasing: bytes[offset..<end])
        let isInteger = !digits.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        return (String(decoding: digits, as: UTF8.self), isInteger)
    }
}
