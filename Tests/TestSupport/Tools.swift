import Foundation

/// Certificates made by `openssl` for one test: a CA, a server certificate for 127.0.0.1 and a client
/// certificate signed by the CA.
public struct TestCertificates {
    public let directory: URL

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("webconfig-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=test-ca"])
        try openssl(["req", "-x509"] + ec + ["-keyout", "server.key", "-out", "server.crt", "-days", "2", "-subj", "/CN=localhost",
                     "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        try openssl(["req"] + ec + ["-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=prometheus"])
        try "subjectAltName=DNS:prometheus.example\n".write(to: directory.appendingPathComponent("client.ext"), atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "client.crt", "-days", "2", "-extfile", "client.ext"])
    }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public func write(_ name: String, _ text: String) throws {
        // Written aside and renamed, as an editor or a config manager replaces a file.
        let temporary = directory.appendingPathComponent(".\(name).tmp")
        try text.write(to: temporary, atomically: false, encoding: .utf8)
        _ = rename(temporary.path, path(name))
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }

    private func openssl(_ arguments: [String]) throws {
        let result = try Tool.run("/usr/bin/openssl", arguments, in: directory)
        guard result.status == 0 else { throw Tool.Failure(description: "openssl \(arguments.first ?? ""): \(result.stderr)") }
    }
}

/// Runs a command line tool (openssl, curl, gzip) to completion.
public enum Tool {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs to completion; `environment` replaces the inherited one when given.
    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                           environment: [String: String]? = nil, standardInput: URL? = nil) throws -> Result {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory?.path,
                                     standardInput: standardInput?.path, standardOutput: .pipe, standardError: .pipe)
        let (stdout, stderr) = child.collectOutput()
        return Result(status: child.waitForExit(), stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `curl` over HTTPS trusting the test CA: the HTTP status (0 when no response came) and curl's exit code.
    public static func https(_ port: Int, _ path: String, certificates: TestCertificates, user: String? = nil,
                      clientCertificate: Bool = false, extra: [String] = []) throws -> (status: Int, exit: Int32, headers: String) {
        var arguments = ["-sS", "--max-time", "10", "--cacert", certificates.path("server.crt"), "-o", "/dev/null",
                         "-D", "-", "-w", "\n%{http_code}"]
        if let user { arguments += ["-u", user] }
        if clientCertificate { arguments += ["--cert", certificates.path("client.crt"), "--key", certificates.path("client.key")] }
        let result = try run("/usr/bin/curl", arguments + extra + ["https://127.0.0.1:\(port)\(path)"])
        let lines = result.stdout.split(separator: "\n")
        return (Int(lines.last ?? "") ?? 0, result.status, result.stdout)
    }
}
