import ExporterKit
import Foundation

/// What the benchmark executables (`Benchmarks/*Bench`) share: timing a step a number of times, and printing it.
public struct BenchTiming: Sendable, CustomStringConvertible {
    /// Milliseconds.
    public let median: Double
    public let min: Double

    /// Runs `body` `repetitions` times; the median and the fastest run.
    public static func measure(_ repetitions: Int, _ body: () async throws -> Void) async rethrows -> BenchTiming {
        var samples: [Double] = []
        for _ in 0..<max(1, repetitions) {
            let start = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        }
        samples.sort()
        return BenchTiming(median: samples[samples.count / 2], min: samples[0])
    }

    /// Polls each source `repetitions` times through `upstream` at `now`, printing one line per source:
    /// `poll <name>  median ... ms   min ... ms`.
    public static func printPolls(_ sources: [any PolledSource], upstream: any UpstreamFetching, repetitions: Int,
                                  now: Date) async throws {
        let health = HealthRegistry(sources: sources.map(\.name))
        let width = sources.map(\.name.count).max() ?? 0
        for source in sources {
            let timing = try await measure(repetitions) {
                try await source.poll(PollContext(source: source.name, now: now, upstream: upstream, health: health))
            }
            print("poll \(source.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(timing)")
        }
    }

    /// `median    12.34 ms   min    10.00 ms`.
    public var description: String {
        "median \(Self.milliseconds(median)) ms   min \(Self.milliseconds(min)) ms"
    }

    /// Two decimals, right-aligned to eight characters.
    static func milliseconds(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let text = "\(hundredths / 100)." + (hundredths % 100 < 10 ? "0" : "") + "\(hundredths % 100)"
        return String(repeating: " ", count: Swift.max(0, 8 - text.count)) + text
    }
}

/// A benchmark whose data came out incomplete: it stops rather than print numbers about the wrong work.
public struct BenchFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
