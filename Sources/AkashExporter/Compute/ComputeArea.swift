import ExporterKit
import Foundation

/// Akash compute prices and supply from the Console API: GPU bid prices and availability per model, network
/// capacity, provider counts. Three sources, each with its own schedule and last good value.
public struct ComputeArea: ExporterArea {
    /// The area's sources, for the registry.
    static let declarations = [GPUPrices.declaration, NetworkCapacity.declaration, ProviderList.declaration]

    public let sources: [any PolledSource]
    public let collectors: [any MetricsCollector]

    /// With `config.enabled` false the area has no sources and no collectors.
    public init(config: ComputeConfig) {
        guard config.enabled else {
            sources = []
            collectors = []
            return
        }
        let prices = GPUPrices.endpoint(config)
        let capacity = NetworkCapacity.endpoint(config)
        let providers = ProviderList.endpoint(config)
        sources = [prices.source, capacity.source, providers.source]
        collectors = [prices.collector, capacity.collector, providers.collector]
    }
}
