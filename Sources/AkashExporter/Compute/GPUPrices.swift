import ExporterKit
import Exposition
import FoundationEssentials

/// Source `akash_gpu_prices`: `GET /v1/gpu-prices` of the Akash Console API. For each GPU model on the
/// network, its GPUs and providers (total and available) and the bid price per GPU-hour in USD.
///
/// The Console derives prices from on-chain bids of the last 31 days (one best bid per provider, the pricing
/// bot's own deployments first) and memoizes the answer for 15 minutes; a cold cache answers slowly.
enum GPUPrices {
    static let path = "/v1/gpu-prices"

    static let declaration = Source(
        name: "akash_gpu_prices", api: .akashConsole, endpoints: [.init(path)],
        summary: "Console `GET /v1/gpu-prices` (30 s timeout: slow when its cache is cold)", schedule: "15 min",
        intervalFlag: ComputeConfig.pricesIntervalFlag.spec, timeoutFlag: ComputeConfig.pricesTimeoutFlag.spec
    ) { setup in
        guard let config = setup[ComputeArea.self], config.enabled else { return nil }
        let endpoint = Endpoint("akash_gpu_prices", api: .akashConsole, baseURL: config.consoleURL, path: path,
                                interval: config.pricesInterval, timeout: config.pricesTimeout, decode: decode, families: families)
        // The GPU price checks of leases, providers and clouds compare with these medians.
        let prices = endpoint.source.lastGood
        setup.shared.gpuMarket.feed { now in prices.value(now: now)?.models }
        return MadeSource(endpoint.source, collectors: [endpoint.collector])
    }

    struct Body: Decodable, Sendable {
        /// May be empty: a network with no GPU on offer is a valid answer.
        let models: [GPUModel]
    }

    struct GPUModel: Decodable, Sendable {
        let vendor: String
        let model: String
        let ram: String
        let interface: String
        /// GPUs: allocatable on online providers, and not yet allocated.
        let availability: TotalAvailable
        /// Providers with at least one such GPU, and with at least one free.
        let providerAvailability: TotalAvailable
        /// `null` when no usable bid was found for this model in 31 days.
        let price: Price?
    }

    struct TotalAvailable: Decodable, Sendable {
        let total: Double
        let available: Double

        var states: StateValues { [("total", total), ("available", available)] }
    }

    /// USD per GPU-hour. Each statistic is optional on its own: one missing figure drops that sample, not the
    /// whole answer (the Console's own website treats a missing `weightedAverage` as "--/hr").
    struct Price: Decodable, Sendable {
        let min: Double?
        let med: Double?
        let avg: Double?
        let weightedAverage: Double?
        let max: Double?

        /// Upstream names mapped to the `stat` label.
        var stats: [(stat: String, value: Double?)] {
            [("min", min), ("median", med), ("mean", avg), ("weighted_mean", weightedAverage), ("max", max)]
        }
    }

    @Sendable static func decode(_ body: Data) throws(SourceFailure) -> Body {
        try JSONBody.decode(Body.self, from: body, what: UpstreamAPI.akashConsole.describe(path))
    }

    @Sendable static func families(_ body: Body) -> [MetricFamily] {
        var prices = MetricFamily.gauge("akash_gpu_bid_price_usd_per_hour",
            "Bid price per GPU-hour in USD for each GPU model, over one best bid per provider from on-chain bids "
            + "of the last 31 days (Akash Console API /v1/gpu-prices, cached by the Console for up to 15 min). "
            + "Absent when no bid was found.")
        var gpus = MetricFamily.gauge("akash_gpus",
            "GPUs of each model on online Akash providers: total allocatable, and available (not allocated) "
            + "(Akash Console API /v1/gpu-prices).")
        var providers = MetricFamily.gauge("akash_gpu_providers",
            "Akash providers offering each GPU model: total with at least one, and available with at least one "
            + "free (Akash Console API /v1/gpu-prices).")
        for model in body.models {
            let labels = [Label("vendor", model.vendor), Label("model", model.model), Label("ram", model.ram),
                          Label("interface", model.interface)]
            for (stat, value) in model.price?.stats ?? [] {
                prices.add(value, labels: labels + [Label("stat", stat)])
            }
            gpus.add(model.availability.states, labels: labels)
            providers.add(model.providerAvailability.states, labels: labels)
        }
        return [prices, gpus, providers]
    }
}
