import FoundationEssentials

/// What "now" is for everything the calendar decides: the credit plan and the month's reset, data ages, the
/// timestamps in the exposition. One per process, handed to whatever needs it, so that a test or a demo can run the
/// exporter on any day (`--clock.start`) and nothing else reads the system's calendar.
public struct WallClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = WallClock { Date() }

    /// Starts at `start` and runs on from there at the pace of the monotonic clock (so a process pinned to the last
    /// second of a month sees the month turn, as it would for real).
    public static func starting(at start: Date) -> WallClock {
        let origin = ContinuousClock.now
        return WallClock {
            let elapsed = (ContinuousClock.now - origin).components
            return start.addingTimeInterval(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
        }
    }

    /// `2026-02-28T23:30:00Z` (RFC 3339 in UTC, whole seconds, as the flag takes it); nil for anything else.
    public static func parseInstant(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }
}
