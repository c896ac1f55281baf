import Testing
@testable import HTTPServer

/// Seeded random input through the parser (reproducible: a failure names its case number).
@Suite("HTTPRequestParser fuzz")
struct ParserFuzzTests {
    /// SplitMix64: small, fast, and the same sequence on every platform.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let validRequests: [[UInt8]] = [
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9877\r\nAccept: */*\r\n\r\n",
        "HEAD / HTTP/1.0\nConnection: keep-alive\n\n",
        "GET http://h:1/-/ready?x=y HTTP/1.1\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\nGET /next HTTP/1.1\r\n\r\n",
        "\r\nPOST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody",
    ].map { Array($0.utf8) }

    /// Bytes that matter to the grammar, so random strings reach deep into it.
    static let alphabet: [UInt8] = Array("GETHAD /:\r\n\r\n?HTTP/1.01 \t,cC-kK0xX\u{7f}".utf8) + [0, 0x80, 0xff]

    /// The parser's promise: never trap, never claim bytes it was not given, and a complete request is
    /// complete from its own bytes alone (nothing after `consumed` was looked at).
    static func checkInvariants(_ input: [UInt8], case index: Int) {
        let result = HTTPRequestParser.parse(input, maxHeaderBytes: 512)
        guard case .complete(let request, let consumed) = result else { return }
        #expect(consumed > 0 && consumed <= input.count, "case \(index): consumed \(consumed) of \(input.count)")
        #expect(HTTPRequestParser.parse(Array(input[0..<consumed]), maxHeaderBytes: 512) == .complete(request, consumed: consumed),
                "case \(index)")
    }

    @Test func tenThousandRandomAndMutatedInputs() {
        var random = SeededGenerator(state: 20_240_607)
        var completeCount = 0
        for index in 0..<10_000 {
            var input: [UInt8]
            switch index % 4 {
            case 0:  // random bytes from the grammar's alphabet
                input = (0..<Int.random(in: 0...700, using: &random)).map { _ in Self.alphabet.randomElement(using: &random)! }
            case 1:  // any bytes at all
                input = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 2:  // a valid request cut anywhere
                let valid = Self.validRequests.randomElement(using: &random)!
                input = Array(valid[0..<Int.random(in: 0...valid.count, using: &random)])
            default:  // a valid request with a few bytes replaced, inserted or deleted
                input = Self.validRequests.randomElement(using: &random)!
                for _ in 0..<Int.random(in: 1...4, using: &random) where !input.isEmpty {
                    let position = Int.random(in: 0..<input.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: input[position] = Self.alphabet.randomElement(using: &random)!
                    case 1: input.insert(UInt8.random(in: 0...255, using: &random), at: position)
                    default: input.remove(at: position)
                    }
                }
            }
            if case .complete = HTTPRequestParser.parse(input, maxHeaderBytes: 512) { completeCount += 1 }
            Self.checkInvariants(input, case: index)
        }
        // The mutated and truncated cases must reach the complete path, or the invariants were never tested.
        #expect(completeCount > 300)
    }
}
