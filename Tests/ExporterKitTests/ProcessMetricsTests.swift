import Foundation
import Testing
import Exposition
@testable import ExporterKit

@Suite struct ProcessMetricsTests {
    private func values(_ families: [MetricFamily]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: families.compactMap { family in family.samples.first.map { (family.name, $0.value) } })
    }

    @Test func readsThisProcess() throws {
        let now = Date()
        let metrics = values(ProcessMetricsCollector().collect(now: now))
        #expect(try #require(metrics["process_open_fds"]) > 0)
        #expect(try #require(metrics["process_max_fds"]) >= metrics["process_open_fds"]!)
        #expect(try #require(metrics["process_resident_memory_bytes"]) > 0)
        #expect(try #require(metrics["process_virtual_memory_bytes"]) >= metrics["process_resident_memory_bytes"]!)
        #expect(try #require(metrics["process_cpu_seconds_total"]) > 0)
        let started = try #require(metrics["process_start_time_seconds"])
        #expect(started <= now.timeIntervalSince1970 + 1)
        #expect(started > now.timeIntervalSince1970 - 86_400)
        #expect(try TextFormat.renderString(ProcessMetricsCollector().collect(now: now))
            .contains("# TYPE process_cpu_seconds_total counter\n"))
    }

    @Test func unreadableProcLeavesTheMetricsOut() {
        #expect(ProcessMetricsCollector(proc: "/nonexistent").collect(now: Date()).isEmpty)
    }

    @Test func parsesStatWithParenthesesAndSpacesInTheCommandName() throws {
        let line = "4242 (akash (cost) exporter) S 1 4242 4242 0 -1 4194560 1200 0 0 0 150 50 0 0 20 0 9 0 73743 "
            + "262144000 5120 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n"
        let stat = try #require(ProcessStat(statLine: line))
        #expect(stat == ProcessStat(userTicks: 150, systemTicks: 50, startTicks: 73743, virtualBytes: 262_144_000,
                                    residentPages: 5120))
        #expect(ProcessStat(statLine: "4242 (cut") == nil)
        #expect(ProcessStat(statLine: "4242 (short) S 1 2 3") == nil)
    }

    @Test func parsesBootTimeAndOpenFileLimit() {
        #expect(ProcessStat.bootTime(procStat: "cpu  1 2 3\nintr 5\nbtime 1795261869\nprocesses 9\n") == 1_795_261_869)
        #expect(ProcessStat.bootTime(procStat: "cpu 1\n") == nil)
        let limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max open files            1024                 524288               files
            """
        #expect(ProcessStat.maxOpenFiles(limits: limits) == 1024)
        #expect(ProcessStat.maxOpenFiles(limits: "Max open files            unlimited            unlimited            files")
            == .infinity)
    }

    /// readdir returns records only as long as their names: one for fd "7" can end a few bytes after the name, at
    /// the end of readdir's buffer, with nothing mapped after it. Reading the name must stay inside the record (the
    /// 256-byte copy of `d_name` used before crashed here).
    @Test("a directory entry that ends at an unmapped page is read without touching the page")
    func directoryEntryAtTheEndOfAPage() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapping = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(mapping != MAP_FAILED)
        defer { munmap(mapping, 2 * page) }
        #expect(mprotect(mapping + page, page, PROT_NONE) == 0)  // the page after the record: touching it crashes
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        let record = mapping + page - (nameOffset + 2)  // the name "7" and its NUL end the page
        record.storeBytes(of: UInt8(ascii: "7"), toByteOffset: nameOffset, as: UInt8.self)
        record.storeBytes(of: 0, toByteOffset: nameOffset + 1, as: UInt8.self)
        #expect(ProcessMetricsCollector.firstByteOfName(record.assumingMemoryBound(to: dirent.self)) == UInt8(ascii: "7"))
    }
}
