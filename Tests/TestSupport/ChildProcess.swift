import CTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, for the tests that run a tool or the exporter binary.
///
/// Not Foundation's `Process`: its `run()` on Linux (swift-corelibs-foundation up to Swift 6.3.1) copies the whole
/// 256-byte `d_name` of each `/proc/self/fd` entry and now and then reads past readdir's buffer into an unmapped page
/// (swiftlang/swift-corelibs-foundation#5472); it crashed the test process in CI. The child starts with every signal
/// unblocked and SIGTERM, SIGINT and SIGPIPE at their defaults, whatever the spawning test thread had, and with no
/// descriptor of the test process but its three standard streams.
public final class ChildProcess: @unchecked Sendable {  // `exitCode` is only touched under `lock`
    public enum Stream {
        case null
        /// Created or truncated.
        case file(String)
        /// A pipe read by `collectOutput()`.
        case pipe
    }

    public let pid: pid_t
    private var stdoutPipe: Int32 = -1
    private var stderrPipe: Int32 = -1
    private let lock = NSLock()
    private var exitCode: Int32?

    /// `environment` replaces the inherited one when given; `directory` is the child's working directory.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
                standardInput: String? = nil, standardOutput: Stream = .null, standardError: Stream = .null) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }

        func plan(_ stream: Stream, onto target: Int32) throws -> Int32 {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
                return -1
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                return -1
            case .pipe:
                var fds: [Int32] = [-1, -1]
                guard ctest_pipe_cloexec(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                parentEnds.append(fds[0])
                childEnds.append(fds[1])
                posix_spawn_file_actions_adddup2(&actions, fds[1], target)  // dup2 clears close-on-exec
                return fds[0]
            }
        }
        posix_spawn_file_actions_addopen(&actions, 0, standardInput ?? "/dev/null", O_RDONLY, 0)
        let outRead = try plan(standardOutput, onto: 1)
        let errRead = try plan(standardError, onto: 2)
        if let directory { ctest_spawn_addchdir(&actions, directory) }
        // Last, after the dup2s onto 0-2: nothing else of this process goes to the child. Other tests' sockets, held
        // open by a child, would never read as closed to their peers (a server waiting for EOF, a client for close).
        ctest_spawn_addclosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = environmentLines.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }

        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            parentEnds.forEach { close($0) }
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
        }
        self.pid = pid
        stdoutPipe = outRead
        stderrPipe = errRead
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            _ = waitForExit()
        }
        for fd in [stdoutPipe, stderrPipe] where fd >= 0 { close(fd) }
    }

    /// Everything written to the piped streams until the child closes them (both read together, so a child filling
    /// one pipe while we read the other cannot stall).
    public func collectOutput() -> (stdout: Data, stderr: Data) {
        var collected: [Int32: Data] = [:]
        var open = [stdoutPipe, stderrPipe].filter { $0 >= 0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polls, nfds_t(polls.count), -1) >= 0 || errno == EINTR else { break }
            for entry in polls where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    collected[entry.fd, default: Data()].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return (collected[stdoutPipe] ?? Data(), collected[stderrPipe] ?? Data())
    }

    /// The exit code once the child has exited (128 + the signal when a signal ended it); nil while it runs.
    public var status: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if exitCode == nil { reap(options: WNOHANG) }
        return exitCode
    }

    public var isRunning: Bool { status == nil }

    /// Blocks until the child exits; its exit code.
    public func waitForExit() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        while exitCode == nil { reap(options: 0) }
        return exitCode!
    }

    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    private func reap(options: Int32) {
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, options)
        if result == pid {
            let signal = raw & 0x7f
            exitCode = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        } else if result < 0 && errno != EINTR {
            exitCode = -1  // not our child any more: nothing to wait for
        }
    }
}
