import Foundation

/// Golden expositions: whole scrapes kept in `Tests/Fixtures/golden/<name>.prom`, which `.ci/run` also feeds to
/// `promtool check metrics` and an independent parser.
///
/// `UPDATE_GOLDEN=1 swift test --filter <Suite>` rewrites the files from what the tests render; review the diff
/// before committing it, since a golden file is only as good as the last look at it.
public enum Golden {
    public static let directory = "golden"

    /// Every golden file, by name (`market.prom`), sorted.
    public static var names: [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.url(directory).path)) ?? []
        return entries.filter { $0.hasSuffix(".prom") }.sorted()
    }

    public static func url(_ name: String) -> URL {
        Fixtures.url("\(directory)/\(name)")
    }

    /// Throws `Mismatch` (naming the first line that differs) unless `actual` is exactly the golden file `name`.
    /// With `UPDATE_GOLDEN=1` the file is first rewritten from `actual`.
    public static func compare(_ actual: String, _ name: String) throws {
        try compare(actual, file: url(name))
    }

    /// The same for any file generated from the code (a routes file, a README table), by its URL.
    public static func compare(_ actual: String, file url: URL) throws {
        if isUpdating {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url, options: .atomic)
        }
        let expected = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        if actual != expected { throw Mismatch(name: url.lastPathComponent, expected: expected, actual: actual) }
    }

    /// `UPDATE_GOLDEN=1`: rewrite instead of compare.
    public static var isUpdating: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" }

    public struct Mismatch: Error, CustomStringConvertible {
        public let name: String
        public let expected: String
        public let actual: String

        public var description: String {
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let index = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(expectedLines.count, actualLines.count)
            func line(_ lines: [Substring]) -> String { index < lines.count ? String(lines[index]) : "<end of output>" }
            return "golden \(name) differs at line \(index + 1):\n  expected: \(line(expectedLines))\n"
                + "  actual:   \(line(actualLines))\nrun with UPDATE_GOLDEN=1 and review the diff if the change is intended"
        }
    }
}

/// Prometheus' own checker, when installed (`.ci/run` installs it).
public enum Promtool {
    public static let path = "/usr/bin/promtool"

    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `promtool check metrics < file`: its exit status and everything it printed.
    public static func checkMetrics(_ file: URL) throws -> (status: Int32, output: String) {
        let result = try Tool.run(path, ["check", "metrics"], standardInput: file)
        return (result.status, result.stdout + result.stderr)
    }
}
