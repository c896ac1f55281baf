import Foundation
import Testing
@testable import ExporterKit

/// SIGUSR2 stands in for SIGTERM: the test process must keep its own SIGTERM. Signals are sent to the whole process
/// with `kill`, so the kernel may pick any thread, the main thread parked in `dispatch_main` with every signal
/// unblocked included (where the dispatch signal sources used before lost one now and then).
@Suite struct TerminationSignalsTests {
    @Test("a signal sent before anyone waits is kept; later ones do not replace the first")
    func keepsTheFirstSignal() async throws {
        let signals = try TerminationSignals([(SIGUSR2, "SIGUSR2"), (SIGUSR1, "SIGUSR1")])
        #expect(kill(getpid(), SIGUSR2) == 0)
        try await Task.sleep(for: .milliseconds(200))  // delivered and read before anyone waits
        #expect(kill(getpid(), SIGUSR1) == 0)
        for _ in 0..<100 where signals.received == nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(signals.received == "SIGUSR2")
        #expect(await signals.first() == "SIGUSR2")
    }
}
