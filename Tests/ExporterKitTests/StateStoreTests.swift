import Foundation
import Testing
import TestSupport
@testable import ExporterKit

@Suite struct StateStoreTests {
    struct Quote: Codable, Equatable {
        var price: Double
        var volume: Double
        var ids: [Int]
        var ok: Bool
        var note: String?
    }

    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()
    var path: String { directory.appendingPathComponent("state.json").path }
    let log = LogCapture()

    private func store() -> StateStore { StateStore(path: path, logger: log.logger()) }

    private func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func roundTripsSectionsAcrossARestart() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let quote = Quote(price: 1.234567890123, volume: 0, ids: [7431, 1], ok: true, note: "a \"quoted\" note")
        let first = store()
        first.load()
        first.set("cmc", quote)
        first.set("credits", ["month": "2026-11", "used": "1234"])
        first.saveIfChanged()

        let second = store()
        second.load()
        #expect(second.get("cmc", as: Quote.self) == quote)
        #expect(second.get("credits", as: [String: String].self) == ["month": "2026-11", "used": "1234"])
        #expect(second.get("absent", as: Quote.self) == nil)
        #expect(log.lines.last?.contains("msg=\"state loaded\"") == true)
    }

    @Test func missingFileIsAFirstStart() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = store()
        store.load()
        #expect(store.get("cmc", as: Quote.self) == nil)
        #expect(log.lines.count == 1)
        #expect(log.lines[0].contains("msg=\"no state file yet, starting fresh\""))
        store.saveIfChanged()
        #expect(try files().isEmpty, "nothing changed, so nothing is written")
    }

    @Test(arguments: [
        ("garbage", Data([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01])),
        ("truncated", Data("{\"format\":1,\"sections\":{\"cmc\":{\"price\":1.5,".utf8)),
        ("empty", Data()),
        ("wrong shape", Data("[1,2,3]".utf8)),
    ])
    func corruptFileStartsFreshWithALogLineAndIsReplaced(_ name: String, _ content: Data) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try content.write(to: URL(fileURLWithPath: path))
        let store = store()
        store.load()
        #expect(store.get("cmc", as: Quote.self) == nil)
        #expect(log.lines.count == 1)
        #expect(log.lines[0].contains("level=warn msg=\"state file is unreadable, starting fresh; it will be replaced\""))

        store.saveIfChanged()
        let replaced = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        #expect(replaced?["format"] as? Int == 1)
        let reloaded = self.store()
        reloaded.load()
        #expect(log.lines.last?.contains("msg=\"state loaded\"") == true)
    }

    @Test func unknownFormatStartsFresh() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{\"format\":99,\"sections\":{\"cmc\":{}}}".utf8).write(to: URL(fileURLWithPath: path))
        let store = store()
        store.load()
        #expect(log.lines.first?.contains("msg=\"state file has an unknown format, starting fresh\" path=") == true)
        #expect(log.lines.first?.contains("format=99") == true)
    }

    @Test func atomicSaveLeavesNoTempFileAndRemovesOnesACrashLeft() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("half a state fi".utf8).write(to: URL(fileURLWithPath: path + ".tmp.4242"))
        try Data("someone else's".utf8).write(to: URL(fileURLWithPath: path + ".tmp.backup"))
        let store = store()
        store.load()
        store.set("cmc", Quote(price: 2, volume: 3, ids: [], ok: false, note: nil))
        store.saveIfChanged()
        #expect(try files() == ["state.json", "state.json.tmp.backup"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the state file is private to the exporter's user")
    }

    @Test func concurrentSavesNeverInterleave() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = store()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    store.set("source\(index % 5)", Quote(price: Double(index), volume: 1, ids: Array(0..<100), ok: true, note: nil))
                    store.saveIfChanged()
                }
            }
        }
        store.saveIfChanged()
        let reloaded = self.store()
        reloaded.load()
        for index in 0..<5 {
            #expect(reloaded.get("source\(index)", as: Quote.self) == store.get("source\(index)", as: Quote.self))
        }
        #expect(try files() == ["state.json"])
    }
}
