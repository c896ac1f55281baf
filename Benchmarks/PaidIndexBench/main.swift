// The paid-price index at network scale: the network's active leases and winning bids, 500 per page, served by a
// fake chain REST on loopback (the real HTTP client, JSON decoding, pagination), then the join, the index and the
// exposition. Run through scripts/bench_paid_index.sh (release build). Prints numbers; asserts only that the data
// was complete.
//
//     PaidIndexBench [leases] [page size] [polls]      defaults: 10000 500 20
//
// One cycle = poll the leases, poll the bids, collect (a fresh join: both lists are new) and render. Resident memory
// is read from /proc/self/statm before the first measured cycle (after one warm-up cycle, so the lists of one poll
// are already held, as in a running exporter) and after the last. The series count is printed for a tenth of the
// leases too: it depends on the models, not on the leases.

import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Glibc
import TestSupport

// As the exporter's main does, before any thread starts: one malloc arena.
MallocArenas.limit(to: 1, environment: ProcessInfo.processInfo.environment)

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let leaseCount = arguments.count > 0 ? arguments[0] : 10_000
let pageSize = arguments.count > 1 ? arguments[1] : 500
let polls = arguments.count > 2 ? arguments[2] : 20

/// 60 providers and 1,500 tenants, addresses of the right shape (the index never reads them but to join).
func address(_ kind: String, _ index: Int) -> String {
    let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
    var text = "akash1" + kind
    var value = index
    while text.count < 44 {
        text.append(alphabet[value % 32])
        value = value / 32 + 7
    }
    return text
}

/// Twelve offered models, three of them in two rams.
let models = ["vendor/nvidia/model/h100/ram/80Gi/interface/sxm", "vendor/nvidia/model/h100/ram/80Gi/interface/pcie",
              "vendor/nvidia/model/a100/ram/80Gi", "vendor/nvidia/model/a100/ram/40Gi", "vendor/nvidia/model/h200/ram/141Gi",
              "vendor/nvidia/model/rtx4090/ram/24Gi", "vendor/nvidia/model/rtx3090/ram/24Gi", "vendor/nvidia/model/l40s/ram/48Gi",
              "vendor/nvidia/model/a6000/ram/48Gi", "vendor/nvidia/model/t4/ram/16Gi", "vendor/nvidia/model/v100/ram/32Gi",
              "vendor/nvidia/model/v100/ram/16Gi"]

struct Order {
    let lease: String
    /// nil: no winning bid listed.
    let bid: String?
}

/// Lease `index` of a network of `count`: 40 % single-model GPU leases, 5 % mixed, 50 % CPU-only, 5 % without a
/// bid; a quarter in uakt.
func orders(_ count: Int) -> [Order] {
    (0..<count).map { index in
        let owner = address("t", index % 1500), provider = address("p", index % 60), dseq = String(20_000_000 + index)
        let denom = index % 4 == 3 ? "uakt" : "uact"
        let amount = "\(index % 997 + 100).\(index % 1_000_000)000000000000"
        let lease = FakeChain.lease(owner: owner, dseq: dseq, provider: provider, denom: denom, amount: amount)
        let kind = index % 20
        guard kind != 19 else { return Order(lease: lease, bid: nil) }
        let gpus = kind < 8 ? index % 8 + 1 : kind == 8 ? 2 : 0
        var bid = FakeChain.bid(owner: owner, dseq: dseq, provider: provider, state: "active", denom: denom, amount: amount,
                                gpusPerReplica: kind < 8 ? gpus : 0, gpuKey: kind < 8 ? models[index % models.count] : nil)
        if kind == 8 {
            // Two units of different models: a mixed lease.
            let unit = FakeChain.bid(owner: owner, dseq: dseq, provider: provider, state: "active", denom: denom, amount: amount,
                                     gpusPerReplica: 1, gpuKey: models[0])
            let second = FakeChain.bid(owner: owner, dseq: dseq, provider: provider, state: "active", denom: denom, amount: amount,
                                       gpusPerReplica: 1, gpuKey: models[2])
            let unitEnd = unit.range(of: "],\"reclamation_window\"")!.lowerBound
            let secondUnit = String(second[second.range(of: "\"resources_offer\":[")!.upperBound..<second.range(of: "],\"reclamation_window\"")!.lowerBound])
            bid = String(unit[..<unitEnd]) + "," + secondUnit + String(unit[unitEnd...])
        }
        return Order(lease: lease, bid: bid)
    }
}

/// Every page of `items` built once, keyed by the page key that asks for it (nil: the first page), so the fake
/// chain answers from memory without building bodies during the measurement.
func pages(_ listKey: String, _ items: [String]) -> [String?: Data] {
    var pages: [String?: Data] = [:]
    var start = 0
    var page = 0
    repeat {
        let end = min(start + pageSize, items.count)
        let next = end < items.count ? "\"\(FakeChain.pageKey(page + 1))\"" : "null"
        let body = "{\"\(listKey)\":[" + items[start..<end].joined(separator: ",")
            + "],\"pagination\":{\"next_key\":\(next),\"total\":\"\(end - start)\"}}"
        pages[page == 0 ? nil : FakeChain.pageKey(page)] = Data(body.utf8)
        start = end
        page += 1
    } while start < items.count
    return pages
}

func serve(_ chain: FakeChain, _ orders: [Order]) {
    let leasePages = pages("leases", orders.map(\.lease))
    let emptyLeases = pages("leases", [])
    let bidPages = pages("bids", orders.compactMap(\.bid))
    chain.route(FakeChain.leasesPath) { request in
        let query = FakeChain.queryItems(request)
        let book = query["filters.state"] == "active" ? leasePages : emptyLeases
        return book[query["pagination.key"]].map { .json($0) } ?? .status(400)
    }
    chain.route(FakeChain.bidsPath) { request in
        let query = FakeChain.queryItems(request)
        return bidPages[query["pagination.key"]].map { .json($0) } ?? .status(400)
    }
}

/// User and system CPU seconds of the whole process (the fake chain's threads too, which only copy prebuilt bodies):
/// the work a cycle costs, whatever else the machine is running.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func residentMiB() -> Double {
    let fields = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ") ?? []
    return fields.count > 1 ? (Double(fields[1]) ?? 0) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576 : 0
}

struct Run {
    let area: MadeSources
    let chain: FakeChain

    init(leases: Int) throws {
        chain = try FakeChain()
        serve(chain, orders(leases))
        let config = NetworkConfig(restURL: chain.baseURL, interval: 1800, timeout: 60, pageSize: pageSize)
        area = NetworkArea.make(config: config, shared: SharedDependencies(aktPriceUSD: { _ in 0.5 }))
    }

    /// Polls both lists at `now`, then collects and renders: the families, the exposition's size and each poll's
    /// milliseconds by source name.
    func cycle(_ upstream: CurlUpstream, now: Date) async throws -> (families: [MetricFamily], bytes: Int, polls: [String: Double]) {
        let health = HealthRegistry(sources: area.sources.map(\.name))
        var polls: [String: Double] = [:]
        for source in area.sources {
            polls[source.name] = try await BenchTiming.measure(1) {
                try await source.poll(PollContext(source: source.name, now: now, upstream: upstream, health: health))
            }.median
        }
        let families = area.collectors.flatMap { $0.collect(now: now) }
        return (families, try TextFormat.render(families).count, polls)
    }
}

let upstream = CurlUpstream()
let start = Date()
print("paid-price index: \(leaseCount) active leases and \(leaseCount - leaseCount / 20) winning bids (40 % single-model GPU, "
    + "5 % mixed, 50 % CPU, 5 % without a bid; 12 models), \(pageSize) per page, \(polls) polls, loopback fake chain REST")

let small = try Run(leases: leaseCount / 10)
let smallSeries = try await small.cycle(upstream, now: start).families.reduce(0) { $0 + $1.samples.count }
small.chain.stop()

let run = try Run(leases: leaseCount)
_ = try await run.cycle(upstream, now: start)
var pollTimes: [String: [Double]] = [:]
let before = residentMiB()
var resident: [Double] = []
var cycles: [Double] = []
var collects: [Double] = []
var last: (families: [MetricFamily], bytes: Int, polls: [String: Double]) = ([], 0, [:])
var peak = before
let cpuBefore = cpuSeconds()
var collectCPU = 0.0
for poll in 1...polls {
    let now = start.addingTimeInterval(Double(poll) * 1800)
    let begin = ContinuousClock.now
    last = try await run.cycle(upstream, now: now)
    for (name, time) in last.polls { pollTimes[name, default: []].append(time) }
    let elapsed = ContinuousClock.now - begin
    cycles.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
    peak = max(peak, residentMiB())
    // The join and the index alone (the lists cached: a render between polls).
    let collectCPUBefore = cpuSeconds()
    let collect = await BenchTiming.measure(1) { _ = run.area.collectors.flatMap { $0.collect(now: now.addingTimeInterval(1)) } }
    collectCPU += cpuSeconds() - collectCPUBefore
    collects.append(collect.median)
    resident.append(residentMiB())
}
let cyclesCPU = (cpuSeconds() - cpuBefore - collectCPU) / Double(polls)
let after = residentMiB()
let kinds = last.families.first { $0.name == "akash_gpu_paid_network_leases" }?.samples.reduce(0) { $0 + $1.value } ?? 0
guard kinds == Double(leaseCount) else { throw BenchFailure("the kinds add up to \(kinds), not \(leaseCount)") }
let series = last.families.reduce(0) { $0 + $1.samples.count }
cycles.sort()
collects.sort()

func ms(_ value: Double) -> String { String(format: "%8.2f", value) }
print("poll + join + collect + render   median \(ms(cycles[cycles.count / 2])) ms   max \(ms(cycles.last!)) ms")
print("  CPU time per cycle (user + system, whole process)  \(ms(cyclesCPU * 1000)) ms")
for (name, times) in pollTimes.sorted(by: { $0.key < $1.key }) {
    let sorted = times.sorted()
    print("  poll \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) median \(ms(sorted[sorted.count / 2])) ms   max \(ms(sorted.last!)) ms")
}
print("collect between polls (cached)   median \(ms(collects[collects.count / 2])) ms   max \(ms(collects.last!)) ms")
print(String(format: "resident memory: %.1f MiB before the first measured poll, %.1f MiB after %d polls (%+.1f MiB), peak %.1f MiB",
             before, after, polls, after - before, peak))
print("resident memory after each poll (MiB): " + resident.map { String(format: "%.1f", $0) }.joined(separator: " "))
print("series: \(series) at \(leaseCount) leases, \(smallSeries) at \(leaseCount / 10); exposition \(last.bytes) bytes")
run.chain.stop()
