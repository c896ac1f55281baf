// Render time and body size of the exposition for a small and a large exporter, for scripts/bench.sh.
// Series look like the exporter's own: a few families, labels per provider/GPU model, float values.
//   bench-render [SERIES...]      (default: 10 10000)
//   bench-render --emit SERIES    prints one such exposition (a body for the server benchmark)
import Dispatch
import Exposition
import Foundation

/// `seriesCount` samples spread over 10 families with three labels each.
func families(seriesCount: Int) -> [MetricFamily] {
    let familyCount = min(10, seriesCount)
    return (0..<familyCount).map { familyIndex in
        var family = MetricFamily.gauge("akash_bench_family_\(familyIndex)_usd", "Benchmark family \(familyIndex).")
        for series in stride(from: familyIndex, to: seriesCount, by: familyCount) {
            family.add(Double(series) * 1.0372 + 0.000123, [
                "provider": "akash1provider\(series % 97)xyz",
                "model": "h100-\(series % 13)",
                "series": "\(series)",
            ])
        }
        return family
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--emit", arguments.count == 2, let seriesCount = Int(arguments[1]) {
    print(try TextFormat.renderString(families(seriesCount: seriesCount)), terminator: "")
    exit(0)
}
let counts = arguments.compactMap { Int($0) }
for seriesCount in counts.isEmpty ? [10, 10_000] : counts {
    let input = families(seriesCount: seriesCount)
    var bytes = 0
    var timings: [Double] = []
    let runs = seriesCount >= 1000 ? 30 : 2000
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        let body = try TextFormat.render(input)
        timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        bytes = body.count
    }
    print("render series=\(seriesCount) body_bytes=\(bytes) median_us=\(String(format: "%.1f", median(timings))) runs=\(runs)")
}
