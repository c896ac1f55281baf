import ExporterKit
import FoundationEssentials

/// Month and day boundaries in UTC, where CoinMarketCap's Basic plan resets its credit counters.
public enum UTCCalendar {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()

    /// `2026-05` for any instant in May 2026 (UTC).
    public static func monthKey(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month], from: date)
        return Digits.padded(parts.year!, width: 4) + "-" + Digits.padded(parts.month!, width: 2)
    }

    public static func startOfNextMonth(after date: Date) -> Date {
        let start = calendar.dateInterval(of: .month, for: date)!.start
        return calendar.date(byAdding: .month, value: 1, to: start)!
    }

    public static func startOfNextDay(after date: Date) -> Date {
        calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: date))!
    }

    public static func secondsUntilNextMonth(from date: Date) -> Double {
        startOfNextMonth(after: date).timeIntervalSince(date)
    }

    public static func secondsUntilNextDay(from date: Date) -> Double {
        startOfNextDay(after: date).timeIntervalSince(date)
    }
}
