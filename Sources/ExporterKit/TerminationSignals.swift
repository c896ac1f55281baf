#if canImport(Glibc)
import Glibc
#endif
import CProcess
import Dispatch
import Synchronization

/// The signals that end the process (SIGTERM, SIGINT), watched from creation on: a signal that comes before anyone
/// waits is kept for `first()`. One per process.
///
/// A C handler writes the signal's number to a pipe, whichever thread the kernel delivers it to, and a dispatch read
/// source on the pipe hands it over, so no work happens in the handler. Dispatch *signal* sources were used before and
/// lost a SIGTERM about once in 30 starts on Linux: libdispatch re-raises a signal that lands on a thread not blocking
/// it at the thread that registered the source, and when that was the main thread (parked by `dispatch_main` with
/// every signal unblocked) the signal stayed pending there, where the signalfd never saw it.
public final class TerminationSignals: @unchecked Sendable {  // `source` is written in init only
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct State {
        var received: String?
        var waiting: CheckedContinuation<String, Never>?
    }

    private let state = Mutex(State())
    private let names: [Int32: String]
    /// Kept so it stays alive; its pipe is never closed (it lives as long as the process).
    private let source: any DispatchSourceRead

    public init(_ signals: [(number: Int32, name: String)] = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")]) throws(SetupError) {
        var fds: [Int32] = [-1, -1]
        guard cprocess_pipe(&fds) == 0 else { throw SetupError(description: "cannot create the signal pipe: \(String(cString: strerror(errno)))") }
        let readEnd = fds[0]
        names = Dictionary(signals.map { ($0.number, $0.name) }, uniquingKeysWith: { first, _ in first })
        source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        source.setEventHandler { [weak self] in
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 {
                self?.deliver(Int32(byte))
            }
        }
        let flags = fcntl(readEnd, F_GETFL)
        _ = fcntl(readEnd, F_SETFL, flags | O_NONBLOCK)  // the handler drains what is there and returns
        source.resume()
        for (number, _) in signals where cprocess_forward_to(number, fds[1]) != 0 {
            throw SetupError(description: "cannot handle signal \(number): \(String(cString: strerror(errno)))")
        }
    }

    private func deliver(_ number: Int32) {
        let name = names[number] ?? "signal \(number)"
        let waiting = state.withLock { state -> CheckedContinuation<String, Never>? in
            guard state.received == nil else { return nil }
            state.received = name
            defer { state.waiting = nil }
            return state.waiting
        }
        waiting?.resume(returning: name)
    }

    /// The first signal received so far, without waiting.
    public var received: String? {
        state.withLock { $0.received }
    }

    /// The first signal received, waiting for one if none has come yet.
    public func first() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let received = state.withLock { state -> String? in
                if state.received == nil { state.waiting = continuation }
                return state.received
            }
            if let received { continuation.resume(returning: received) }
        }
    }
}
