// Poll and render time of the provider view for one provider with many active leases and open bids, against a
// fake chain REST on loopback (the real HTTP client, JSON decoding and pagination), then collect and render time
// of the exposition. Run through scripts/bench_provider.sh (release build). Prints numbers; asserts only that the
// data was complete.
//
//     ProviderBench [leases] [open bids] [page size] [repetitions]      defaults: 5000 2000 1000 10

import AkashExporter
import ExporterKit
import Exposition
import Foundation
import TestSupport

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let leaseCount = arguments.count > 0 ? arguments[0] : 5000
let openBidCount = arguments.count > 1 ? arguments[1] : 2000
let pageSize = arguments.count > 2 ? arguments[2] : 1000
let repetitions = arguments.count > 3 ? arguments[3] : 10

let provider = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"
let tenants = ["akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq", "akash100dwtg4hqnd240x583spjwnk4kanp559xwtvmg",
               "akash1pas6v0905jgyznpvnjhg7tsthuyqek60gkz7uf", "akash1008l639687lnkcscsrha36n5zdt3qzz30yzc67"]
/// Six models a large provider might rent; every other lease is CPU-only.
let models = ["vendor/nvidia/model/h100/ram/80Gi/interface/sxm", "vendor/nvidia/model/a100/ram/80Gi/interface/pcie",
              "vendor/nvidia/model/h200/ram/141Gi", "vendor/nvidia/model/rtx4090/ram/24Gi", "vendor/nvidia/model/l40s",
              "vendor/nvidia/model/a6000/ram/48Gi"]

/// Lease `index`'s order, price and GPUs: a quarter in uakt so that the AKT price is used.
func order(_ index: Int) -> (tenant: String, dseq: String, denom: String, amount: String, gpus: Int, model: String?) {
    let gpu = index % 2 == 0
    return (tenants[index % tenants.count], String(30_000_000 + index), index % 4 == 3 ? "uakt" : "uact",
            "\(index % 997 + 100).\(index % 1_000_000)000000000000", gpu ? index % 8 + 1 : 0,
            gpu ? models[index / 2 % models.count] : nil)
}

let leases = (0..<leaseCount).map { index in
    let o = order(index)
    return FakeChain.lease(owner: o.tenant, dseq: o.dseq, provider: provider, denom: o.denom, amount: o.amount)
}
let activeBids = (0..<leaseCount).map { index in
    let o = order(index)
    return FakeChain.bid(owner: o.tenant, dseq: o.dseq, provider: provider, state: "active", denom: o.denom, amount: o.amount,
                         gpusPerReplica: o.gpus, gpuKey: o.model)
}
let openBids = (0..<openBidCount).map { index in
    let o = order(leaseCount + index)
    return FakeChain.bid(owner: o.tenant, dseq: o.dseq, provider: provider, state: "open", denom: o.denom, amount: o.amount,
                         gpusPerReplica: o.gpus, gpuKey: o.model)
}

let chain = try FakeChain()
chain.route("/akash/market/v1beta5/leases/list", FakeChain.pagedList(listKey: "leases", pageSize: pageSize) { query in
    query["filters.provider"] == provider ? leases : []
})
chain.route("/akash/market/v1beta5/bids/list", FakeChain.pagedList(listKey: "bids", pageSize: pageSize) { query in
    guard query["filters.provider"] == provider else { return [] }
    return query["filters.state"] == "open" ? openBids : query["filters.state"] == "active" ? activeBids : []
})

let config = ProviderConfig(providers: [provider], restURL: chain.baseURL, interval: 3600, timeout: 60)
let area = ProviderArea.make(config: config, shared: SharedDependencies(aktPriceUSD: { _ in 0.5434716 }))
let upstream = CurlUpstream()
let now = Date()

print("provider view: 1 provider, \(leaseCount) active leases (half GPU, 6 models), \(openBidCount) open bids, "
    + "\(pageSize) per page, \(repetitions) repetitions, loopback fake chain REST")
try await BenchTiming.printPolls(area.sources, upstream: upstream, repetitions: repetitions, now: now)

let collectors = area.collectors
var families: [MetricFamily] = []
let collect = await BenchTiming.measure(repetitions) { families = collectors.flatMap { $0.collect(now: now) } }
var body: [UInt8] = []
let render = try await BenchTiming.measure(repetitions) { body = try TextFormat.render(families) }
let series = families.reduce(0) { $0 + $1.samples.count }
let active = families.first { $0.name == "akash_provider_active_leases" }?.samples.first?.value
let open = families.first { $0.name == "akash_provider_open_bids" }?.samples.first?.value
guard active == Double(leaseCount), open == Double(openBidCount) else {
    throw BenchFailure("expected \(leaseCount) leases and \(openBidCount) open bids, got \(String(describing: active)), \(String(describing: open))")
}
guard families.contains(where: { $0.name == "akash_provider_revenue_usd_per_hour" && !$0.isEmpty }) else {
    throw BenchFailure("no revenue")
}

print("collect                     \(collect)")
print("render                      \(render)")
print("exposition: \(series) series, \(body.count) bytes")
chain.stop()
