import ExporterKit

/// Akash compute prices and supply from the Console API: GPU bid prices and availability per model, network
/// capacity, provider counts. Each source has its own schedule and last good value; `akash_gpu_prices` feeds the
/// shared `GPUMarket`.
public enum ComputeArea: SourceArea {
    static let flags = ComputeConfig.flags

    static func configure(_ input: ConfigInput) throws(ConfigError) -> ComputeConfig {
        try ComputeConfig(input.flags)
    }

    static let sources = [GPUPrices.declaration, NetworkCapacity.declaration, ProviderList.declaration]
}
