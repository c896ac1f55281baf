// libFuzzer harness for HTTPRequestParser, built by scripts/fuzz.sh (not a SwiftPM target: it is compiled
// with the parser's sources and -sanitize=fuzzer,address). It traps when the parser breaks its promise:
// a complete request must lie within the input and be complete from its own bytes alone.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: count)
    for limit in [64, HTTPRequestParser.defaultMaxHeaderBytes] {
        let result = HTTPRequestParser.parse(input, maxHeaderBytes: limit)
        guard case .complete(let request, let consumed) = result else { continue }
        precondition(consumed > 0 && consumed <= count, "consumed \(consumed) of \(count) bytes")
        precondition(HTTPRequestParser.parse(UnsafeRawBufferPointer(rebasing: input[0..<consumed]), maxHeaderBytes: limit)
            == .complete(request, consumed: consumed), "the request depends on bytes after it")
        _ = request.keepAlive
    }
    return 0
}
