import ExporterKit
import Exposition
import FoundationEssentials

/// The cloud side of the GPU price check: a dated list of on-demand cloud GPU prices (the shipped snapshot, or
/// `--akash.cloud-prices-file`), read once at start, and the Akash network median against each cloud.
struct CloudPricesConfig: Sendable, Equatable {
    static let fileFlag: Flag<String> = .string(
        "akash.cloud-prices-file", default: "", placeholder: "FILE",
        help: "JSON list of cloud on-demand GPU prices to compare Akash with, read once at start: "
            + #"{"as_of": "YYYY-MM-DD", "prices": [{"cloud", "instance_type", "region", "vendor", "model", "#
            + #""ram", "interface" (optional), "gpus", "usd_per_hour" (per instance), "source" (optional)}]}. "#
            + "Empty: the dated snapshot shipped with the exporter.")

    var list: CloudPriceList

    static let flags = [fileFlag.spec]

    init(list: CloudPriceList) {
        self.list = list
    }

    init(_ flags: ParsedFlags) throws(ConfigError) {
        let path = try flags[Self.fileFlag]
        guard !path.isEmpty else {
            self.init(list: CloudPrices.snapshot)
            return
        }
        self.init(list: try Self.load(path: path))
    }

    /// Reads and checks the user's file; any problem is one line naming the file, the entry and what is wrong.
    static func load(path: String) throws(ConfigError) -> CloudPriceList {
        func invalid(_ problem: String) -> ConfigError {
            ConfigError("invalid --\(fileFlag.name) file \"\(path)\": \(problem)")
        }
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw invalid("it does not exist") }
        guard !isDirectory, let data = try? Data(contentsOf: URL(filePath: path)) else { throw invalid("it cannot be read") }
        do throws(CloudPriceList.Problem) {
            return try CloudPriceList.parse(data)
        } catch {
            throw invalid(error.description)
        }
    }
}

enum CloudPrices {
    /// The shipped list; checked by the tests, so it always parses.
    static let snapshot: CloudPriceList = try! CloudPriceList.parse(Data(CloudPriceSnapshot.json.utf8))

    /// Host CPU, memory and disk are in every cloud price: the comparison is "an Akash GPU against a comparable
    /// cloud VM", which HELP says.
    static func families(_ list: CloudPriceList, market: [GPUPrices.GPUModel]?) -> [MetricFamily] {
        var prices = MetricFamily.gauge("akash_cloud_gpu_price_usd_per_hour",
            "On-demand cloud price per GPU-hour in USD (instance price / its GPUs; host CPU, memory and disk included), "
            + "from the cloud price list (the shipped snapshot or --akash.cloud-prices-file).")
        var asOf = MetricFamily.gauge("akash_cloud_gpu_prices_as_of_timestamp_seconds",
            "Date of the cloud price list (00:00 UTC), so that an old list is visible.")
        var ratio = MetricFamily.gauge("akash_gpu_price_vs_cloud_ratio",
            "Akash network median bid per GPU-hour (Console /v1/gpu-prices) / the cloud's cheapest on-demand price per "
            + "GPU-hour for the same vendor, model and ram (and interface when the list gives one). Cloud prices include "
            + "host CPU and memory. Absent when the cloud does not sell the model or the median is unknown.")
        for price in list.prices {
            let gpu = price.gpu.labelValues
            prices.add(price.usdPerGPUHour, ["cloud": price.cloud, "instance_type": price.instanceType,
                                             "region": price.region, "vendor": gpu.vendor, "model": gpu.model, "ram": gpu.ram])
        }
        asOf.add(list.asOfTimestamp)
        let clouds = Set(list.prices.map(\.cloud)).sorted()
        var done: Set<[String]> = []
        for row in market ?? [] {
            // A repeated row would repeat the series; the first one counts. A median of 0 is no price at all.
            guard let median = row.price?.med, median > 0, done.insert([row.vendor, row.model, row.ram, row.interface]).inserted else { continue }
            for cloud in clouds {
                let cheapest = list.prices.lazy
                    .filter { $0.cloud == cloud && MarketMatch.matches($0.gpu, row) }
                    .map(\.usdPerGPUHour).min()
                guard let cheapest else { continue }
                ratio.add(median / cheapest, ["vendor": row.vendor, "model": row.model, "ram": row.ram,
                                              "interface": row.interface, "cloud": cloud])
            }
        }
        return [prices, asOf, ratio]
    }
}

/// Renders the cloud families with the Console's latest GPU medians, read at collect time (nil: compute area off,
/// not polled yet or stale: the cloud prices stay, the ratios go).
struct CloudPricesCollector: MetricsCollector {
    let list: CloudPriceList
    let marketGPUs: @Sendable (Date) -> [GPUPrices.GPUModel]?

    func collect(now: Date) -> [MetricFamily] {
        CloudPrices.families(list, market: marketGPUs(now))
    }
}

/// The cloud price list as an area: nothing to poll, one collector.
enum CloudPricesArea: SourceArea {
    static let flags = CloudPricesConfig.flags
    static let sources: [Source] = []

    static func configure(_ input: ConfigInput) throws(ConfigError) -> CloudPricesConfig {
        try CloudPricesConfig(input.flags)
    }

    static func collectors(_ setup: SourceSetup) -> [any MetricsCollector] {
        guard let config = setup[CloudPricesArea.self] else { return [] }
        let market = setup.shared.gpuMarket
        return [CloudPricesCollector(list: config.list, marketGPUs: { now in market.models(at: now) })]
    }
}
