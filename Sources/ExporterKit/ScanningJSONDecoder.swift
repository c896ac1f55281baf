import FoundationEssentials

/// Decodes a `Decodable` type straight from the body's bytes, reading only the keys the type asks for.
///
/// `JSONDecoder` first builds an index of the whole document (every value of it) and then decodes from that: for
/// the Console's providers list, of which two fields per provider are read, that is about 2.5 times the body's size
/// at once, besides the body, and a lease page of 400 KB peaks at 3.5 MiB. Here nothing of the document is built:
/// an object's members are located when the type opens it (their offsets, for as long as that container lives),
/// values nobody asks for are skipped in place, and strings become `String`s only when decoded. The peak is the
/// body plus the decoded value.
///
/// Same answers as `JSONDecoder` with its default strategies, for the types the exporter decodes: the same grammar
/// (the whole document is validated before decoding, so malformed JSON is `dataCorrupted` at the top level), the
/// same `DecodingError` cases with the same coding paths, the first of duplicate keys wins. Not supported: the
/// special cases `JSONDecoder` makes for `Date`, `Data`, `URL` and `Decimal` (none of which an upstream model uses;
/// they decode through their own `Decodable` conformances here).
public struct ScanningJSONDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> T in
            let scanner = JSONScanner(raw.bindMemory(to: UInt8.self))
            let start: Int
            do throws(JSONScanner.Malformed) {
                start = try scanner.validateDocument()
            } catch {
                throw ValueDecoder.notValidJSON(error.problem)
            }
            return try T(from: ValueDecoder(scanner: scanner, offset: start, codingPath: []))
        }
    }
}

/// The decoder of the one value starting at `offset`. Valid only inside `ScanningJSONDecoder.decode` (it points into
/// the body's bytes).
private struct ValueDecoder: Decoder {
    let scanner: JSONScanner
    let offset: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try requireKind(.object, [String: Any].self)
        return KeyedDecodingContainer(try ObjectContainer<Key>(self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try requireKind(.array, [Any].self)
        return try ArrayContainer(self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func child(at offset: Int, key: any CodingKey) -> ValueDecoder {
        ValueDecoder(scanner: scanner, offset: offset, codingPath: codingPath + [key])
    }

    private func requireKind(_ kind: JSONScanner.Kind, _ type: Any.Type) throws {
        let found = scanner.kind(at: offset)
        guard found == kind else {
            if found == .null {
                throw DecodingError.valueNotFound(type, .init(codingPath: codingPath,
                    debugDescription: "Cannot get a container for \(type) -- found null value instead"))
            }
            throw mismatch(type)
        }
    }

    func mismatch(_ type: Any.Type) -> DecodingError {
        let found = scanner.kind(at: offset).map { "\($0)" } ?? "nothing"
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(found) instead."))
    }

    func corrupted(_ description: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: description))
    }
}

extension ValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { scanner.kind(at: offset) == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        // A null Bool is a type mismatch for JSONDecoder, where other scalars are a missing value.
        guard scanner.kind(at: offset) == .bool else { throw mismatch(type) }
        return scanner.bytes[offset] == UInt8(ascii: "t")
    }

    func decode(_ type: String.Type) throws -> String {
        try notNull(type)
        guard scanner.kind(at: offset) == .string else { throw mismatch(type) }
        return try scanned { () throws(JSONScanner.Malformed) in try scanner.string(scanner.stringEnd(at: offset)) }
    }

    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }

    private func notNull(_ type: Any.Type) throws {
        if decodeNil() {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "Expected \(type) value but found null instead."))
        }
    }

    private func number(_ type: Any.Type) throws -> (text: String, isInteger: Bool) {
        try notNull(type)
        guard scanner.kind(at: offset) == .number else { throw mismatch(type) }
        return try scanned { () throws(JSONScanner.Malformed) in try scanner.number(at: offset) }
    }

    /// An integer type takes an integral number only, written with or without a fraction or exponent (`1`, `1.0`,
    /// `1e3`); anything else, or out of the type's range, is malformed JSON at the top level, as `JSONDecoder` says.
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let (text, isInteger) = try number(type)
        if isInteger, let value = T(text) { return value }
        if !isInteger, let double = Double(text), let value = T(exactly: double) { return value }
        throw Self.notValidJSON("number \(text) does not fit in \(type)")
    }

    private func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type) throws -> T {
        let (text, _) = try number(type)
        guard let value = T(text), value.isFinite else { throw Self.notValidJSON("number \(text) does not fit in \(type)") }
        return value
    }

    static func notValidJSON(_ problem: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON.",
                             underlyingError: JSONScanner.Malformed(offset: 0, problem: problem)))
    }

    /// Runs a scan of a value already validated; a failure would be a bug of the scanner, reported as corrupt data.
    func scanned<T>(_ scan: () throws(JSONScanner.Malformed) -> T) throws -> T {
        do {
            return try scan()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: error.problem, underlyingError: error))
        }
    }
}

/// An object's members, located once when the container is made: key tokens and where their values start.
private struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ValueDecoder
    private let members: [(key: JSONScanner.StringToken, value: Int)]

    init(_ decoder: ValueDecoder) throws {
        self.decoder = decoder
        var members: [(key: JSONScanner.StringToken, value: Int)] = []
        _ = try decoder.scanned { () throws(JSONScanner.Malformed) in
            try decoder.scanner.forEachMember(ofObjectAt: decoder.offset) { key, value in members.append((key, value)) }
        }
        self.members = members
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        members.compactMap { member in (try? decoder.scanner.string(member.key)).flatMap(Key.init(stringValue:)) }
    }

    /// Where the value of `key` starts; the first of duplicate keys, like `JSONDecoder`.
    private func valueOffset(_ key: Key) throws -> Int? {
        let name = key.stringValue
        for member in members {
            if try decoder.scanned({ () throws(JSONScanner.Malformed) in try decoder.scanner.string(member.key, equals: name) }) {
                return member.value
            }
        }
        return nil
    }

    private func value(_ key: Key) throws -> ValueDecoder {
        guard let offset = try valueOffset(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return decoder.child(at: offset, key: key)
    }

    func contains(_ key: Key) -> Bool { (try? valueOffset(key)) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: value(key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try value(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try value(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        try superDecoder(forKey: Key(stringValue: "super")!)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try value(key)
    }
}

/// An array's elements, read front to back: each element is skipped in place once decoded.
private struct ArrayContainer: UnkeyedDecodingContainer {
    let decoder: ValueDecoder
    let count: Int?
    private(set) var currentIndex = 0
    /// Where the next element starts; nil past the last one.
    private var next: Int?

    init(_ decoder: ValueDecoder) throws {
        self.decoder = decoder
        let scanner = decoder.scanner
        next = scanner.firstElement(ofArrayAt: decoder.offset)
        count = try decoder.scanned { () throws(JSONScanner.Malformed) in
            var count = 0
            var element = scanner.firstElement(ofArrayAt: decoder.offset)
            while let start = element {
                count += 1
                element = try scanner.nextElement(after: start)
            }
            return count
        }
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var isAtEnd: Bool { next == nil }

    /// The decoder of the next element, and the container moved past it once `read` succeeded.
    private mutating func element<T>(_ type: Any.Type, _ read: (ValueDecoder) throws -> T) throws -> T {
        guard let start = next else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(currentIndex)],
                                                          debugDescription: "Unkeyed container is at end."))
        }
        let value = try read(decoder.child(at: start, key: IndexKey(currentIndex)))
        let scanner = decoder.scanner
        next = try decoder.scanned { () throws(JSONScanner.Malformed) in try scanner.nextElement(after: start) }
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard let start = next, decoder.scanner.kind(at: start) == .null else { return false }
        return try element(Never.self) { _ in true }
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try element(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try element(type) { try $0.decode(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try element(type) { try T(from: $0) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try element(type) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try element([Any].self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try element((any Decoder).self) { $0 }
    }
}

/// An array index in a coding path (`[3]` in a failure's summary).
private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}
