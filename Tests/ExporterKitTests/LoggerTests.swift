import Foundation
import Testing
import TestSupport
@testable import ExporterKit

@Suite struct LoggerTests {
    @Test func logfmtQuotesOnlyWhatNeedsIt() {
        let line = Logger.logfmt([("msg", "poll failed"), ("source", "cmc_quotes"), ("err", "say \"hi\"\nback\\slash"),
                                  ("empty", ""), ("eq", "a=b"), ("tab", "a\tb"), ("path", "/tmp/x\\y")])
        #expect(line == #"msg="poll failed" source=cmc_quotes err="say \"hi\"\nback\\slash" empty="" eq="a=b" tab="a\tb" path=/tmp/x\y"#)
    }

    @Test func jsonEscapesControlCharacters() throws {
        let line = Logger.json([("msg", "line\nbreak \"q\" \u{01}"), ("k", "ü")])
        #expect(line == #"{"msg":"line\nbreak \"q\" \u0001","k":"ü"}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        #expect(parsed?["msg"] == "line\nbreak \"q\" \u{01}")
    }

    @Test func levelFiltersAndEachEventIsOneLine() {
        let log = LogCapture()
        let logger = log.logger(level: .warn, format: .json)
        logger.info("hidden")
        logger.warn("multi\nline", ["source": "s"])
        #expect(log.lines.count == 1)
        #expect(log.lines[0].hasSuffix(#""level":"warn","msg":"multi\nline","source":"s"}"# + "\n"))
        #expect(log.lines[0].dropLast().contains("\n") == false)
    }

    @Test func levelNames() {
        #expect(Logger.Level(name: "WARN") == .warn)
        #expect(Logger.Level(name: "verbose") == nil)
    }
}
