import ExporterKit
import Foundation

/// Akash compute prices and supply from the Console API: GPU bid prices and availability per model, network
/// capacity, provider counts. Three sources, each with its own schedule and last good value.
public struct ComputeArea: ExporterArea {
    public let sources: [any PolledSource]
    public let collectors: [any MetricsCollector]
    /// The last good `/v1/gpu-prices`, which the GPU price check compares leases and clouds with.
    private let gpuPrices: LastGood<GPUPrices.Body>?

    /// With `config.enabled` false the area has no sources and no collectors.
    public init(config: ComputeConfig) {
        guard config.enabled else {
            sources = []
            collectors = []
            gpuPrices = nil
            return
        }
        let prices = ConsoleEndpoint(
            name: GPUPrices.sourceName, baseURL: config.consoleURL, path: GPUPrices.path,
            interval: config.pricesInterval, timeout: config.pricesTimeout,
            decode: GPUPrices.decode, families: GPUPrices.families)
        let capacity = ConsoleEndpoint(
            name: NetworkCapacity.sourceName, baseURL: config.consoleURL, path: NetworkCapacity.path,
            interval: config.capacityInterval, timeout: config.consoleTimeout,
            decode: NetworkCapacity.decode, families: NetworkCapacity.families)
        let providers = ConsoleEndpoint(
            name: ProviderList.sourceName, baseURL: config.consoleURL, path: ProviderList.path,
            interval: config.providersInterval, timeout: config.consoleTimeout, maxBodyBytes: ProviderList.maxBodyBytes,
            decode: ProviderList.decode, families: ProviderList.families)
        sources = [prices.source, capacity.source, providers.source]
        collectors = [prices.collector, capacity.collector, providers.collector]
        gpuPrices = prices.source.lastGood
    }

    /// The GPU models of the network and their bid prices while fresh; nil when the area is off, not yet polled or stale.
    func marketGPUs(now: Date) -> [GPUPrices.GPUModel]? {
        gpuPrices?.value(now: now)?.models
    }
}
