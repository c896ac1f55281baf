import Foundation
import Testing
@testable import AkashExporter
import ExporterKit
import Exposition
import TestSupport

@Suite("Compute: decoding Console API bodies")
struct ComputeDecodingTests {
    // MARK: /v1/gpu-prices

    @Test("gpu-prices sample: prices per stat, availability per model")
    func gpuPricesSample() throws {
        let families = GPUPrices.families(try GPUPrices.decode(try Fixtures.data("akash/gpu-prices.json")))
        let h100 = ["vendor": "nvidia", "model": "h100", "ram": "80Gi", "interface": "SXM5"]
        func h100Price(_ stat: String) -> Double? {
            Samples.value(families, "akash_gpu_bid_price_usd_per_hour",
                   ["vendor": "nvidia", "model": "h100", "ram": "80Gi", "interface": "SXM5", "stat": stat])
        }
        #expect(h100Price("min") == 2.01)
        #expect(h100Price("median") == 2.56)
        #expect(h100Price("mean") == 2.58)
        #expect(h100Price("weighted_mean") == 2.49)
        #expect(h100Price("max") == 3.16)
        #expect(Samples.value(families, "akash_gpus", h100.merging(["state": "total"]) { $1 }) == 63)
        #expect(Samples.value(families, "akash_gpus", h100.merging(["state": "available"]) { $1 }) == 15)
        #expect(Samples.value(families, "akash_gpu_providers", h100.merging(["state": "total"]) { $1 }) == 5)
        #expect(Samples.value(families, "akash_gpu_providers", h100.merging(["state": "available"]) { $1 }) == 3)
        // 6 models, 5 of them priced.
        #expect(Samples.count(families, "akash_gpu_bid_price_usd_per_hour") == 5 * 5)
        #expect(Samples.count(families, "akash_gpus") == 6 * 2)
    }

    @Test("a null price gives no price sample, but the model's availability is still exported")
    func nullPrice() throws {
        let families = GPUPrices.families(try GPUPrices.decode(try Fixtures.data("akash/gpu-prices.json")))
        let prices = families.first { $0.name == "akash_gpu_bid_price_usd_per_hour" }!
        #expect(!prices.samples.contains { $0.labels.contains(Label("model", "rtx3060ti")) })
        #expect(Samples.value(families, "akash_gpus",
                       ["vendor": "nvidia", "model": "rtx3060ti", "ram": "8Gi", "interface": "PCIe", "state": "total"]) == 2)
    }

    @Test("a price of 0 upstream is exported as 0: only an absent price is absent")
    func zeroPriceIsAValue() throws {
        let families = GPUPrices.families(try GPUPrices.decode(try Fixtures.data("akash/gpu-prices.json")))
        #expect(Samples.value(families, "akash_gpu_bid_price_usd_per_hour",
                       ["vendor": "nvidia", "model": "gtx1070ti", "ram": "8Gi", "interface": "PCIe", "stat": "min"]) == 0)
    }

    @Test("a null statistic drops that sample only")
    func nullStatistic() throws {
        let families = GPUPrices.families(try GPUPrices.decode(try Fixtures.data("akash/gpu-prices.odd-names.json")))
        let labels = ["vendor": "amd", "model": "mi300x\nbeta", "ram": "192Gi", "interface": "OAM"]
        func price(_ stat: String) -> Double? {
            Samples.value(families, "akash_gpu_bid_price_usd_per_hour", labels.merging(["stat": stat]) { $1 })
        }
        #expect(price("median") == 1.95)
        #expect(price("weighted_mean") == nil)
    }

    @Test("the Console's functional-test body decodes")
    func gpuPricesTestFixture() throws {
        let body = try GPUPrices.decode(try Fixtures.data("akash/gpu-prices.test-fixture.json"))
        #expect(body.models.map(\.model) == ["gpu2", "gpu3", "gpu0", "gpu1"])
        let families = GPUPrices.families(body)
        #expect(Samples.value(families, "akash_gpu_bid_price_usd_per_hour",
                       ["vendor": "nvidia", "model": "gpu0", "ram": "1024", "interface": "pcie", "stat": "weighted_mean"]) == 0.6)
        #expect(Samples.count(families, "akash_gpu_bid_price_usd_per_hour") == 2 * 5)
    }

    @Test("an empty models list is a valid answer with no GPU series")
    func emptyModels() throws {
        let body = try GPUPrices.decode(Data(#"{"availability":{"total":0,"available":0},"models":[]}"#.utf8))
        #expect(body.models.isEmpty)
        #expect(GPUPrices.families(body).allSatisfy { $0.isEmpty })
    }

    @Test("unknown fields are ignored")
    func unknownFields() throws {
        let body = try GPUPrices.decode(Data("""
            {"models":[{"vendor":"nvidia","model":"b200","ram":"180Gi","interface":"SXM6","tier":{"new":true},
              "availability":{"total":8,"available":2,"reserved":1},"providerAvailability":{"total":1,"available":1},
              "price":{"currency":"USD","min":5,"max":5,"avg":5,"weightedAverage":5,"med":5,"p90":5}}],
             "generatedAt":"2026-07-17T20:00:00Z"}
            """.utf8))
        #expect(body.models.first?.price?.med == 5)
        #expect(body.models.first?.availability.available == 2)
    }

    @Test("a missing required field is a decode failure naming the field")
    func missingField() throws {
        let noVendor = ComputeTest.decodeFailure("""
            {"models":[{"model":"h100","ram":"80Gi","interface":"SXM5","availability":{"total":1,"available":1},
              "providerAvailability":{"total":1,"available":1},"price":null}]}
            """, GPUPrices.decode)
        #expect(noVendor?.reason == .decode)
        #expect(noVendor?.message.contains("missing field vendor at models.[0]") == true)

        let noModels = ComputeTest.decodeFailure(#"{"availability":{"total":0,"available":0}}"#, GPUPrices.decode)
        #expect(noModels?.reason == .decode)
        #expect(noModels?.message.contains("missing field models") == true)
    }

    @Test("truncated JSON is a decode failure, and the body is not echoed")
    func truncatedJSON() throws {
        let whole = try Fixtures.string("akash/gpu-prices.json")
        let failure = ComputeTest.decodeFailure(String(whole.prefix(whole.count / 2)), GPUPrices.decode)
        #expect(failure?.reason == .decode)
        #expect(failure?.message.contains("h100") == false)
    }

    // MARK: /v1/network-capacity

    @Test("millicores become cores")
    func millicoresToCores() {
        #expect(NetworkCapacity.cores(millicores: 2_858_030) == 2858.03)
        #expect(NetworkCapacity.cores(millicores: 263_000) == 263)
        #expect(NetworkCapacity.cores(millicores: 902) == 0.902)
    }

    @Test("network-capacity sample: providers, CPU in cores, GPUs, memory and storage in bytes")
    func networkCapacitySample() throws {
        let body = try NetworkCapacity.decode(try Fixtures.data("akash/network-capacity.json"))
        let families = NetworkCapacity.families(body)
        #expect(Samples.value(families, "akash_providers", ["state": "active"]) == 60)
        #expect(Samples.value(families, "akash_network_cpu_cores", ["state": "active"]) == 2858.03)
        #expect(Samples.value(families, "akash_network_cpu_cores", ["state": "total"]) == 10107.225)
        #expect(Samples.value(families, "akash_network_gpus", ["state": "pending"]) == 10)
        #expect(Samples.value(families, "akash_network_memory_bytes", ["state": "available"])
                == 52_776_558_133_248)
        #expect(Samples.value(families, "akash_network_storage_bytes", ["class": "persistent", "state": "total"])
                == 100_423_521_312_768)
        #expect(Samples.value(families, "akash_network_storage_bytes", ["class": "ephemeral", "state": "pending"])
                == 2_199_023_255_552)
        // Only the two real classes: the upstream `total` class would double every sum().
        #expect(Samples.count(families, "akash_network_storage_bytes") == 2 * 4)
    }

    @Test("the Console's functional-test capacity body decodes")
    func networkCapacityTestFixture() throws {
        let families = NetworkCapacity.families(
            try NetworkCapacity.decode(try Fixtures.data("akash/network-capacity.test-fixture.json")))
        #expect(Samples.value(families, "akash_providers", ["state": "active"]) == 2)
        #expect(Samples.value(families, "akash_network_cpu_cores", ["state": "pending"]) == 0.912)
        #expect(Samples.value(families, "akash_network_storage_bytes", ["class": "ephemeral", "state": "active"])
                == 910)
    }

    @Test("a missing capacity figure is a decode failure naming its path")
    func capacityMissingField() {
        let failure = ComputeTest.decodeFailure("""
            {"activeProviderCount":1,"resources":{"cpu":{"active":1,"pending":0,"available":1},
             "gpu":{"active":0,"pending":0,"available":0,"total":0},"memory":{"active":0,"pending":0,"available":0,"total":0},
             "storage":{"ephemeral":{"active":0,"pending":0,"available":0,"total":0},
                        "persistent":{"active":0,"pending":0,"available":0,"total":0}}}}
            """, NetworkCapacity.decode)
        #expect(failure?.reason == .decode)
        #expect(failure?.message.contains("missing field total at resources.cpu") == true)
    }

    // MARK: /v1/providers

    @Test("providers sample: registered, online, audited")
    func providersSample() throws {
        let counts = try ProviderList.decode(try Fixtures.data("akash/providers.json"))
        #expect(counts == ProviderCounts(registered: 2, online: 1, audited: 1))
        let families = ProviderList.families(counts)
        #expect(Samples.value(families, "akash_providers", ["state": "registered"]) == 2)
        #expect(Samples.value(families, "akash_providers", ["state": "online"]) == 1)
        #expect(Samples.value(families, "akash_providers", ["state": "audited"]) == 1)
    }

    @Test("an audited provider that is offline is not counted as audited")
    func auditedNeedsOnline() throws {
        let counts = try ProviderList.decode(Data("""
            [{"isOnline":false,"isAudited":true},{"isOnline":true,"isAudited":true},{"isOnline":true,"isAudited":false}]
            """.utf8))
        #expect(counts == ProviderCounts(registered: 3, online: 2, audited: 1))
    }

    @Test("an empty provider list gives zero counts, which are real values")
    func noProviders() throws {
        #expect(try ProviderList.decode(Data("[]".utf8)) == ProviderCounts(registered: 0, online: 0, audited: 0))
    }

    @Test("a provider without isOnline is a decode failure naming the field and the item")
    func providerMissingField() {
        let failure = ComputeTest.decodeFailure(
            #"[{"isOnline":true,"isAudited":false},{"owner":"akash1x","isAudited":true}]"#,
                                    ProviderList.decode)
        #expect(failure?.reason == .decode)
        #expect(failure?.message.contains("missing field isOnline at [1]") == true)
    }
}
