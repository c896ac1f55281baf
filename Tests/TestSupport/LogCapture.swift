import ExporterKit
import Synchronization

/// Log lines a test can read back.
public final class LogCapture: Sendable {
    private let captured = Mutex<[String]>([])

    public init() {}

    /// A logger writing into this capture.
    public func logger(level: Logger.Level = .info, format: Logger.Format = .logfmt) -> Logger {
        Logger(level: level, format: format) { line in self.captured.withLock { $0.append(line) } }
    }

    public var lines: [String] { captured.withLock { $0 } }
}
