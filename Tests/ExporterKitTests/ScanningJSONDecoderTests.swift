import Foundation
import Testing
import TestSupport
@testable import ExporterKit

/// `ScanningJSONDecoder` against `JSONDecoder`, the decoder it replaces: the same values from every recorded body, the
/// same failures (case and coding path, so the same `decode` messages) from broken ones.
@Suite struct ScanningJSONDecoderTests {
    /// Any JSON value, so a decode walks the whole document.
    enum AnyJSON: Decodable, Equatable {
        case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

        init(from decoder: any Decoder) throws {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { self = .null }
            else if let value = try? single.decode(Bool.self) { self = .bool(value) }
            else if let value = try? single.decode(Double.self) { self = .number(value) }
            else if let value = try? single.decode(String.self) { self = .string(value) }
            else if let value = try? single.decode([AnyJSON].self) { self = .array(value) }
            else { self = .object(try single.decode([String: AnyJSON].self)) }
        }
    }

    struct Provider: Decodable, Equatable {
        let isOnline: Bool
        let isAudited: Bool
    }

    struct Typed: Decodable, Equatable {
        let int: Int64
        let uint: UInt32
        let double: Double
        let text: String
        let flag: Bool
        let optional: String?
        let list: [Int]
        let nested: [String: [Int8]]
    }

    /// A decoded value, or the summary of the failure as a `decode` message shows it.
    enum Outcome<T: Equatable>: Equatable {
        case success(T)
        case failure(String)

        var value: T? {
            if case .success(let value) = self { value } else { nil }
        }
    }

    private func both<T: Decodable & Equatable>(_ type: T.Type, _ json: String) -> (Outcome<T>, Outcome<T>) {
        let data = Data(json.utf8)
        func run(_ decode: () throws -> T) -> Outcome<T> {
            do { return .success(try decode()) } catch { return .failure(DecodeErrorSummary.describe(error)) }
        }
        return (run { try ScanningJSONDecoder().decode(type, from: data) }, run { try JSONDecoder().decode(type, from: data) })
    }

    @Test func everyRecordedBodyDecodesToTheSameValues() throws {
        let files = FileManager.default.enumerator(at: Fixtures.directory, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }
        #expect(files.count > 50)
        for file in files {
            let data = try Data(contentsOf: file)
            let expected = try? JSONDecoder().decode(AnyJSON.self, from: data)
            let scanned = try? ScanningJSONDecoder().decode(AnyJSON.self, from: data)
            #expect(scanned == expected, "\(file.lastPathComponent)")
        }
    }

    @Test func typedFieldsEscapesAndNumbersDecodeAlike() {
        let json = #"""
        {"int": "12", "uint": 7, "double": -1.5e3, "text": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "flag": true,
         "optional": null, "list": [1, 2.0, 3e0], "nested": {"x": [-128, 127]}, "ignored": {"deep": [[[{}]]]}}
        """#
        let (scanned, expected) = both(Typed.self, json.replacingOccurrences(of: #""12""#, with: "12"))
        #expect(scanned == expected)
        #expect(scanned.value?.text == "a\"b\\c/d\né😀")
        #expect(scanned.value?.list == [1, 2, 3])
    }

    @Test func firstOfDuplicateKeysWins() {
        let (scanned, expected) = both(Provider.self, #"{"isOnline": false, "isAudited": true, "isOnline": true}"#)
        #expect(scanned == expected)
        #expect(scanned.value == Provider(isOnline: false, isAudited: true))
    }

    @Test(arguments: [
        (#"[{"isOnline": true, "isAudited": true}, {"isAudited": false}]"#, "missing field isOnline at [1]"),
        (#"[{"isOnline": "yes", "isAudited": true}]"#, "expected Bool at [0].isOnline"),
        (#"[{"isOnline": null, "isAudited": true}]"#, "expected Bool at [0].isOnline"),
        (#"[null]"#, "null where Dictionary<String, Any> was expected at [0]"),
        (#"{"isOnline": true}"#, "expected Array<Any> at top level"),
    ])
    func failuresNameTheSameFieldAndPath(_ json: String, _ summary: String) {
        let (scanned, expected) = both([Provider].self, json)
        #expect(scanned == .failure(summary))
        #expect(expected == .failure(summary))
    }

    @Test func integersOutOfRangeOrFractionalAreRefused() {
        for json in [#"{"int": 1, "uint": -1, "double": 0, "text": "", "flag": false, "list": [], "nested": {}}"#,
                     #"{"int": 1.5, "uint": 1, "double": 0, "text": "", "flag": false, "list": [], "nested": {}}"#,
                     #"{"int": 1, "uint": 1, "double": 0, "text": "", "flag": false, "list": [], "nested": {"a": [300]}}"#] {
            let (scanned, expected) = both(Typed.self, json)
            #expect(scanned.value == nil)
            #expect(expected.value == nil)
        }
    }

    @Test(arguments: [
        "", " ", "[", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[tru]",
        "[nul]", "[\"\\x\"]", "[\"\\u12g4\"]", "[\"a\u{01}\"]", "[\"abc", "[1] 2", "[1]]", "{\"a\":[}", "[1 2]",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func malformedJSONIsRefusedAtTheTopLevel(_ json: String) {
        // JSONDecoder checks numbers and strings only when a value is decoded (and then may say something else, or
        // take `{"a":1,}`): this decoder checks the whole document first.
        let (scanned, _) = both(AnyJSON.self, json)
        #expect(scanned == .failure("malformed JSON at top level"))
    }

    @Test(arguments: ["{\"a\" 1}", "[\"abc", "[1] 2", "[1 2]", "[01]", "[1.]", "[-]"])
    func malformedJSONFailsJSONDecoderToo(_ json: String) {
        let (scanned, expected) = both([Int].self, json)
        #expect(scanned == .failure("malformed JSON at top level"))
        #expect(expected.value == nil)
    }

    @Test func aDeepButAllowedDocumentDecodes() {
        let json = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let (scanned, expected) = both(AnyJSON.self, json)
        #expect(scanned == expected)
        #expect(scanned.value != nil)
    }
}

/// Bodies come from anyone's node: a document nested deeper than the scanner's limit is refused as malformed, in a
/// field the model never reads too, rather than recursed into until the stack runs out.
@Suite struct ScanningJSONDecoderDepthTests {
    struct OnlyName: Decodable, Equatable {
        let name: String
    }

    static func body(depth: Int) -> Data {
        Data(("{\"name\":\"a\",\"junk\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}").utf8)
    }

    @Test("nesting up to the limit is skipped; beyond it the body is refused, not recursed into")
    func nestingLimit() throws {
        let within = try ScanningJSONDecoder().decode(OnlyName.self, from: Self.body(depth: JSONScanner.maxDepth - 1))
        #expect(within == OnlyName(name: "a"))
        #expect(throws: (any Error).self) {
            try ScanningJSONDecoder().decode(OnlyName.self, from: Self.body(depth: 100_000))
        }
    }
}
