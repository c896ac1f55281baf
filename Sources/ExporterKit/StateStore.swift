import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What must survive a restart (resolved ids, the previous quote for momentum, credits spent this month), kept
/// as named sections of one JSON document so that each area owns its own section type.
///
/// Saving is atomic (temp file, fsync, rename, fsync of the directory): a crash leaves the old file or the new
/// one, never a torn one. A missing file is a first start; an unreadable one is logged and replaced.
public final class StateStore: Sendable {
    public let path: String?
    private let logger: Logger
    private let state = Mutex<(sections: [String: Data], dirty: Bool)>(([:], false))
    /// Held for a whole save: sources finishing together must not write the same temp file at once, nor let an
    /// older snapshot be renamed over a newer one.
    private let saving = Mutex(())

    /// - Parameter path: the state file; `nil` keeps state in memory only.
    public init(path: String?, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Reads the file. Never throws: a missing file starts fresh, a corrupt one is logged and replaced on the
    /// next save.
    public func load() {
        guard let path else { return }
        AtomicFile.removeLeftovers(of: path)
        guard FileManager.default.fileExists(atPath: path) else {
            logger.info("no state file yet, starting fresh", ["path": path])
            return
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let document = try JSONDecoder().decode(StateDocument.self, from: data)
            guard document.format == StateDocument.currentFormat else {
                logger.warn("state file has an unknown format, starting fresh", ["path": path, "format": "\(document.format)"])
                markForReplacement()
                return
            }
            let sections = try document.sections.mapValues { try JSONEncoder().encode($0) }
            state.withLock { $0 = (sections, false) }
            logger.info("state loaded", ["path": path, "sections": document.sections.keys.sorted().joined(separator: ",")])
        } catch {
            logger.warn("state file is unreadable, starting fresh; it will be replaced",
                        ["path": path, "err": DecodeErrorSummary.describe(error)])
            markForReplacement()
        }
    }

    /// The next save writes a valid file even if no section changes, so a corrupt file does not linger.
    private func markForReplacement() {
        state.withLock { $0.dirty = true }
    }

    public func get<T: Decodable>(_ key: String, as type: T.Type) -> T? {
        guard let data = state.withLock({ $0.sections[key] }) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    public func set<T: Encodable>(_ key: String, _ value: T) {
        guard let data = try? JSONEncoder().encode(value) else { return }
        state.withLock {
            if $0.sections[key] != data {
                $0.sections[key] = data
                $0.dirty = true
            }
        }
    }

    /// Writes the file if anything changed since the last save.
    public func saveIfChanged() {
        guard let path else { return }
        saving.withLock { _ in save(to: path) }
    }

    private func save(to path: String) {
        let snapshot: [String: Data]? = state.withLock {
            guard $0.dirty else { return nil }
            $0.dirty = false
            return $0.sections
        }
        guard let snapshot else { return }
        do {
            let sections = try snapshot.mapValues { try JSONDecoder().decode(JSONValue.self, from: $0) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let data = try encoder.encode(StateDocument(format: StateDocument.currentFormat, sections: sections))
            try AtomicFile.write(data, to: path)
        } catch {
            state.withLock { $0.dirty = true }
            logger.error("cannot save state", ["path": path, "err": "\(error)"])
        }
    }
}

struct StateDocument: Codable {
    static let currentFormat = 1
    var format: Int
    var sections: [String: JSONValue]
}

/// Any JSON value, to keep sections opaque to the store; also what a strict reader of a user's file walks
/// to say which entry and field is wrong.
public indirect enum JSONValue: Codable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// Crash-safe file replacement.
public enum AtomicFile {
    static func temporaryPrefix(of path: String) -> String { path + ".tmp." }

    public static func write(_ data: Data, to path: String) throws {
        let directory = SystemFile.directory(of: path)
        let temporary = temporaryPrefix(of: path) + "\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        let savedErrno = errno
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw POSIXError(.init(rawValue: ok ? errno : savedErrno) ?? .EIO)
        }
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// Deletes temp files a killed process left behind (`<path>.tmp.<pid>`); they were never renamed into place,
    /// so they hold nothing the state file does not.
    public static func removeLeftovers(of path: String) {
        let directory = SystemFile.directory(of: path)
        let prefix = SystemFile.fileName(of: temporaryPrefix(of: path))
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        for entry in entries where entry.hasPrefix(prefix) && entry.dropFirst(prefix.count).allSatisfy(\.isNumber) {
            unlink(directory.isEmpty ? entry : directory + "/" + entry)
        }
    }
}
