import ExporterKit
import Exposition
import FoundationEssentials

/// Source `akash_network_capacity`: `GET /v1/network-capacity` of the Akash Console API. Resources of the
/// providers that reported in the last 3 hours, summed over their last status snapshot, and how many they are.
enum NetworkCapacity {
    static let path = "/v1/network-capacity"

    static let declaration = Source(
        name: "akash_network_capacity", api: .akashConsole, endpoints: [.init(path)],
        summary: "Console `GET /v1/network-capacity`", schedule: "1 min",
        intervalFlag: ComputeConfig.capacityIntervalFlag.spec, timeoutFlag: ComputeConfig.consoleTimeoutFlag.spec
    ) { setup in
        guard let config = setup[ComputeArea.self], config.enabled else { return nil }
        let endpoint = Endpoint("akash_network_capacity", api: .akashConsole, baseURL: config.consoleURL, path: path,
                                interval: config.capacityInterval, timeout: config.consoleTimeout, decode: decode, families: families)
        return MadeSource(endpoint.source, collectors: [endpoint.collector])
    }

    struct Body: Decodable, Sendable {
        let activeProviderCount: Double
        let resources: Resources
    }

    struct Resources: Decodable, Sendable {
        /// Millicores.
        let cpu: ByState
        let gpu: ByState
        /// Bytes.
        let memory: ByState
        let storage: Storage
    }

    /// Bytes per storage class. The upstream `total` class (ephemeral + persistent) is not decoded: a sum is
    /// Prometheus' job, and exporting it would double-count every `sum()` over the classes.
    struct Storage: Decodable, Sendable {
        let ephemeral: ByState
        let persistent: ByState
    }

    /// `total` = active + pending + available.
    struct ByState: Decodable, Sendable {
        let active: Double
        let pending: Double
        let available: Double
        let total: Double

        /// Each count, converted to the exported unit.
        func states(_ unit: (Double) -> Double = { $0 }) -> StateValues {
            [("active", unit(active)), ("pending", unit(pending)), ("available", unit(available)),
             ("total", unit(total))]
        }
    }

    /// The Console reports CPU in millicores (Kubernetes CPU × 1000); Prometheus wants base units. Dividing
    /// (not multiplying by 0.001) keeps 2858030 exactly 2858.03.
    static func cores(millicores: Double) -> Double {
        millicores / 1000
    }

    @Sendable static func decode(_ body: Data) throws(SourceFailure) -> Body {
        try JSONBody.decode(Body.self, from: body, what: UpstreamAPI.akashConsole.describe(path))
    }

    @Sendable static func families(_ body: Body) -> [MetricFamily] {
        func gauge(_ name: String, _ what: String) -> MetricFamily {
            .gauge(name, "\(what) of active Akash providers by state: active (leased), pending, available, total "
                   + "(Akash Console API /v1/network-capacity).")
        }
        var providers = ProviderCounts.family()
        var cpu = gauge("akash_network_cpu_cores", "CPU cores")
        var gpus = gauge("akash_network_gpus", "GPUs")
        var memory = gauge("akash_network_memory_bytes", "Memory in bytes")
        var storage = gauge("akash_network_storage_bytes", "Storage in bytes (class: ephemeral, persistent)")

        let resources = body.resources
        providers.add(body.activeProviderCount, ["state": "active"])
        cpu.add(resources.cpu.states(cores(millicores:)))
        gpus.add(resources.gpu.states())
        memory.add(resources.memory.states())
        storage.add(resources.storage.ephemeral.states(), labels: [Label("class", "ephemeral")])
        storage.add(resources.storage.persistent.states(), labels: [Label("class", "persistent")])
        return [providers, cpu, gpus, memory, storage]
    }
}
