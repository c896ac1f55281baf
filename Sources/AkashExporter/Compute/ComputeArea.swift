import ExporterKit
import FoundationEssentials

/// Akash compute prices and supply from the Console API: GPU bid prices and availability per model, network
/// capacity, provider counts. Three sources, each with its own schedule and last good value.
public struct ComputeArea: ExporterArea {
    /// The area's sources, for the registry.
    static let declarations = [GPUPrices.declaration, NetworkCapacity.declaration, ProviderList.declaration]

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
        let prices = GPUPrices.endpoint(config)
        let capacity = NetworkCapacity.endpoint(config)
        let providers = ProviderList.endpoint(config)
        sources = [prices.source, capacity.source, providers.source]
        collectors = [prices.collector, capacity.collector, providers.collector]
        gpuPrices = prices.source.lastGood
    }

    /// The GPU models of the network and their bid prices while fresh; nil when the area is off, not yet polled or stale.
    func marketGPUs(now: Date) -> [GPUPrices.GPUModel]? {
        gpuPrices?.value(now: now)?.models
    }
}
