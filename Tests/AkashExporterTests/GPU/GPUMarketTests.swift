import Foundation
import Testing
@testable import AkashExporter

/// The GPU market is read at every render of the lease, provider and cloud GPU checks, for months: a read must
/// leave what it reads as it was. (A closure stored bare in a `Mutex` fails this check: checked once with Swift
/// 6.3.1, debug build, where ten reads changed its bytes.)
@Suite("GPU market reader")
struct GPUMarketTests {
    @Test("a thousand reads leave the stored reader as it was: no thunk wraps it per read")
    func readsDoNotWrapTheReader() {
        let market = GPUMarket { _ in [] }
        let before = market.storedReaderBytes
        for _ in 0..<1_000 { _ = market.models(at: Date(timeIntervalSince1970: 0)) }
        #expect(market.storedReaderBytes == before)
        market.feed { _ in nil }
        let fed = market.storedReaderBytes
        for _ in 0..<1_000 { _ = market.models(at: Date(timeIntervalSince1970: 0)) }
        #expect(market.storedReaderBytes == fed)
    }
}
