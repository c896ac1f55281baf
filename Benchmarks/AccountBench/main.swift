// Poll and render time of the account area for one owner with many active leases, against a fake chain REST on
// loopback (the real HTTP client, JSON decoding and pagination), then collect and render time of the exposition.
// Every lease rents GPUs (its winning bid offers 1 to 8 of one of four models), so the GPU price check's series
// (GPUs, price per GPU-hour, ratio to the network median from a fake Console) are in the render.
// Run through scripts/bench_account.sh (release build). Prints numbers; asserts only that the data was complete.
//
//     AccountBench [leases] [pages] [repetitions] [gpu]      defaults: 2000 10 20 1 (gpu 0: no bids served, so no
//     GPU series: the same run without the GPU price check, for comparison)

import AkashExporter
import ExporterKit
import Exposition
import Foundation
import TestSupport

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let leaseCount = arguments.count > 0 ? arguments[0] : 2000
let pages = arguments.count > 1 ? arguments[1] : 10
let repetitions = arguments.count > 2 ? arguments[2] : 20
let withGPUs = arguments.count > 3 ? arguments[3] != 0 : true

let owner = "akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq"
let providers = ["akash19zzh7whjt4vfwxd5wtj3tjtyatnpntfhldshd8", "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc",
                 "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63", "akash13va9yxc8a7wlc882g72uj4g2fscj93hdk0uycp"]
let height: Int64 = 27_001_000

/// Four leases per deployment; a quarter of them in uakt so that the AKT price is used.
func leases(_ count: Int) -> [String] {
    (0..<count).map { index in
        FakeChain.lease(owner: owner, dseq: String(30_000_000 + index / 4), gseq: index % 4 + 1, oseq: 1,
                        provider: providers[index % providers.count], denom: index % 4 == 3 ? "uakt" : "uact",
                        amount: "\(index % 997 + 1).\(String(format: "%06d", index))000000000000")
    }
}

/// The winning bid of each lease above: 1 to 8 GPUs of one of four models, three with a unique median.
let offeredModels = ["vendor/nvidia/model/h100/ram/80Gi/interface/sxm", "vendor/nvidia/model/a100/ram/80Gi",
                     "vendor/nvidia/model/rtx4090/ram/24Gi", "vendor/nvidia/model/h100"]
func bids(_ count: Int) -> [String] {
    (0..<count).map { index in
        FakeChain.bid(owner: owner, dseq: String(30_000_000 + index / 4), gseq: index % 4 + 1, oseq: 1,
                      provider: providers[index % providers.count], state: "active",
                      denom: index % 4 == 3 ? "uakt" : "uact", amount: "\(index % 997 + 1).\(String(format: "%06d", index))000000000000",
                      gpusPerReplica: index % 8 + 1, gpuKey: offeredModels[index / 4 % offeredModels.count])
    }
}

func deployments(_ count: Int) -> [String] {
    (0..<count).map { index in
        FakeChain.deployment(owner: owner, dseq: String(30_000_000 + index),
                             funds: [("uact", "5000000.000000000000000000"), ("uakt", "1000000.000000000000000000")],
                             settledAt: height - Int64(index % 1000))
    }
}

let deploymentCount = (leaseCount + 3) / 4
let pageSize = (leaseCount + pages - 1) / pages
let chain = try FakeChain()
chain.serveLeases([owner: leases(leaseCount)], pageSize: pageSize)
chain.serveDeployments([owner: deployments(deploymentCount)], pageSize: pageSize)
chain.serveLatestBlock(height: height)
chain.serveBids([owner: withGPUs ? bids(leaseCount) : []], pageSize: pageSize)
chain.upstream.route("/console/v1/gpu-prices", .json(try Fixtures.data("akash/gpu-prices.json")))

// GPU leases meet the network medians of a compute area polling a fake Console (`/v1/gpu-prices`).
let shared = SharedDependencies(aktPriceUSD: { _ in 0.5434716 })
let compute = ComputeArea.make(config: ComputeConfig(consoleURL: URL(string: chain.upstream.baseURL.absoluteString + "/console")!),
                               shared: shared)
let config = AccountConfig(owners: [owner], restURL: chain.baseURL, interval: 3600, timeout: 30)
let area = AccountArea.make(config: config, shared: shared)
let upstream = CurlUpstream()
let health = HealthRegistry(sources: compute.sources.map(\.name))
let now = Date()
for source in compute.sources where source.name == "akash_gpu_prices" {
    try await source.poll(PollContext(source: source.name, now: now, upstream: upstream, health: health))
}

print("account area: 1 owner, \(leaseCount) active leases in \(deploymentCount) deployments, "
    + "\(pageSize) per page (\(pages) lease pages), \(repetitions) repetitions, loopback fake chain REST, "
    + (withGPUs ? "every lease renting GPUs" : "no GPU leases"))
try await BenchTiming.printPolls(area.sources, upstream: upstream, repetitions: repetitions, now: now)
let requests = chain.requests(FakeChain.leasesPath).count / repetitions
guard requests == pages else { throw BenchFailure("expected \(pages) lease requests a poll, saw \(requests)") }

let collectors = area.collectors
var families: [MetricFamily] = []
let collect = await BenchTiming.measure(repetitions) { families = collectors.flatMap { $0.collect(now: now) } }
var body: [UInt8] = []
let render = try await BenchTiming.measure(repetitions) { body = try TextFormat.render(families) }
let both = try await BenchTiming.measure(repetitions) { body = try TextFormat.render(collectors.flatMap { $0.collect(now: now) }) }
let series = families.reduce(0) { $0 + $1.samples.count }
let leaseSeries = families.first { $0.name == "akash_lease_price_usd_per_hour" }?.samples.count ?? 0
let gpuSeries = families.first { $0.name == "akash_lease_gpus" }?.samples.count ?? 0
let ratioSeries = families.first { $0.name == "akash_lease_gpu_price_vs_market_ratio" }?.samples.count ?? 0
guard leaseSeries == leaseCount, gpuSeries == (withGPUs ? leaseCount : 0), (ratioSeries > 0) == withGPUs else {
    throw BenchFailure("expected \(leaseCount) GPU lease series and some ratios, got \(gpuSeries) and \(ratioSeries)")
}

print("collect                 \(collect)")
print("render                  \(render)")
print("collect + render        \(both)")
print("exposition: \(series) series (\(leaseSeries) lease prices, \(gpuSeries) GPU leases, "
    + "\(ratioSeries) ratios), \(body.count) bytes")
chain.stop()
