import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Exposition

/// The standard `process_*` metrics of Prometheus client libraries, read from `/proc/self` at each render.
/// A file that cannot be read or parsed leaves its metrics out rather than exporting a bogus value.
public struct ProcessMetricsCollector: MetricsCollector {
    private let proc: String

    /// - Parameter proc: the procfs mount (tests may point it at a directory of captured files).
    public init(proc: String = "/proc") {
        self.proc = proc
    }

    public func collect(now: Date) -> [MetricFamily] {
        var families: [MetricFamily] = []
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = read("self/stat").flatMap(ProcessStat.init(statLine:)), ticks > 0, pageSize > 0 {
            families.append(single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                                  Double(stat.userTicks + stat.systemTicks) / ticks, type: .counter))
            families.append(single("process_resident_memory_bytes", "Resident memory size in bytes.",
                                  Double(stat.residentPages) * pageSize))
            families.append(single("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                                  Double(stat.virtualBytes)))
            if let bootTime = read("stat").flatMap(ProcessStat.bootTime(procStat:)) {
                families.append(single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                                      Double(bootTime) + Double(stat.startTicks) / ticks))
            }
        }
        if let open = openDescriptors() {
            families.append(single("process_open_fds", "Number of open file descriptors.", Double(open)))
        }
        if let max = read("self/limits").flatMap(ProcessStat.maxOpenFiles(limits:)) {
            families.append(single("process_max_fds", "Maximum number of open file descriptors.", max))
        }
        return families
    }

    /// A family of one unlabelled sample.
    private func single(_ name: String, _ help: String, _ value: Double, type: MetricType = .gauge) -> MetricFamily {
        MetricFamily(name: name, help: help, type: type, samples: [Sample(value: value)])
    }

    private func read(_ file: String) -> String? {
        // procfs files report size 0, so read them as a stream rather than by length.
        SystemFile.read("\(proc)/\(file)").map { String(decoding: $0, as: UTF8.self) }
    }

    /// Entries of `/proc/self/fd`, not counting the descriptor used to list them.
    private func openDescriptors() -> Int? {
        guard let directory = opendir("\(proc)/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if Self.firstByteOfName(entry) != UInt8(ascii: ".") { count += 1 }
        }
        return max(count - 1, 0)
    }

    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

    /// The first byte of a directory entry's name, read in place. Not `entry.pointee.d_name`: that copies all 256
    /// bytes the struct declares, while readdir's record holds only the name it has, and the copy read past the end
    /// of readdir's buffer into an unmapped page now and then (a crash at render, seen in CI; Foundation's
    /// `Process.run` had the same bug, swift-corelibs-foundation#5472).
    static func firstByteOfName(_ entry: UnsafeMutablePointer<dirent>) -> UInt8 {
        UnsafeRawPointer(entry).load(fromByteOffset: nameOffset, as: UInt8.self)
    }
}

/// Parsing of the procfs text formats, as pure functions.
public struct ProcessStat: Equatable, Sendable {
    public var userTicks: Int
    public var systemTicks: Int
    /// Clock ticks after boot at which the process started.
    public var startTicks: Int
    public var virtualBytes: Int
    public var residentPages: Int

    public init(userTicks: Int, systemTicks: Int, startTicks: Int, virtualBytes: Int, residentPages: Int) {
        self.userTicks = userTicks
        self.systemTicks = systemTicks
        self.startTicks = startTicks
        self.virtualBytes = virtualBytes
        self.residentPages = residentPages
    }

    /// Parses `/proc/self/stat`. The command name (field 2) is in parentheses and may itself contain spaces and
    /// parentheses, so fields are counted from the last `)`.
    public init?(statLine: String) {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        // Fields from 3 (state) on; field N is at index N - 3.
        let fields = statLine[statLine.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        func field(_ number: Int) -> Int? {
            number - 3 < fields.count ? Int(fields[number - 3].trimmingWhitespace()) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
              let resident = field(24) else { return nil }
        userTicks = user
        systemTicks = system
        startTicks = start
        virtualBytes = virtual
        residentPages = resident
    }

    /// `btime` of `/proc/stat`: boot time in Unix seconds.
    public static func bootTime(procStat: String) -> Int? {
        for line in procStat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int(line.dropFirst("btime ".count).trimmingWhitespace())
        }
        return nil
    }

    /// The soft limit of "Max open files" in `/proc/self/limits`; `unlimited` is +Inf.
    public static func maxOpenFiles(limits: String) -> Double? {
        for line in limits.split(separator: "\n") where line.hasPrefix("Max open files") {
            let columns = line.dropFirst("Max open files".count).split(separator: " ", omittingEmptySubsequences: true)
            guard let soft = columns.first else { return nil }
            return soft == "unlimited" ? .infinity : Double(soft)
        }
        return nil
    }
}
