import Foundation
import Testing
import TestSupport

/// The tests' own child processes (TestSupport.ChildProcess) must not hold the test process's sockets: a socket a
/// child still holds never reads as closed to its peer, which failed unrelated loopback tests now and then.
@Suite struct ChildProcessTests {
    @Test("a child gets the three standard streams and no other descriptor of the test process")
    func onlyTheStandardStreams() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)  // no close-on-exec
        #expect(socket > 2)
        defer { close(socket) }
        let result = try Tool.run("/bin/ls", ["/proc/self/fd"])
        #expect(result.status == 0)
        // ls's own listing adds one descriptor (3, the directory it reads).
        #expect(result.stdout.split(separator: "\n") == ["0", "1", "2", "3"])
    }

    @Test("exit codes and output come back; a signal is 128 + its number")
    func exitCodesAndSignals() throws {
        let result = try Tool.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
        #expect(try Tool.run("/bin/sh", ["-c", "kill -TERM $$"]).status == 128 + SIGTERM)
    }
}
