@testable import AkashExporter
import Foundation
import Testing
import TestSupport

@Suite("GPU: matching a model to a /v1/gpu-prices row")
struct GPUMarketMatchTests {
    static let rows = try! JSONDecoder().decode(GPUPrices.Body.self, from: Fixtures.data("gpu/gpu-prices-gpu-check.json")).models

    func median(_ key: String) -> Double? {
        MarketMatch.median(for: GPUAttribute(key: key)!, in: Self.rows)
    }

    @Test("vendor, model, ram exact; sxm matches SXM5, pcie matches PCIe")
    func exact() {
        #expect(median("vendor/nvidia/model/h100/ram/80Gi/interface/sxm") == 2.0)
        #expect(median("vendor/nvidia/model/h100/ram/80Gi/interface/pcie") == 1.6)
        #expect(median("vendor/nvidia/model/h100/ram/80Gi/interface/SXM5") == 2.0)
        #expect(median("vendor/nvidia/model/a100/ram/40Gi/interface/pcie") == 0.75)
    }

    @Test("a missing ram or interface matches any, when that leaves one row")
    func unique() {
        #expect(median("vendor/nvidia/model/a100/ram/80Gi") == 1.2)
        #expect(median("vendor/nvidia/model/rtx4090") == 0.5)
    }

    @Test("no match: several rows, another ram or interface, another vendor, the wildcard, a row without a median",
          arguments: ["vendor/nvidia/model/h100", "vendor/nvidia/model/h100/ram/80Gi", "vendor/nvidia/model/h100/ram/94Gi",
                      "vendor/nvidia/model/a100/ram/40Gi/interface/sxm", "vendor/amd/model/h100", "vendor/nvidia/model/*",
                      "vendor/nvidia/model/rtx3060ti", "vendor/nvidia/model/H100/ram/80Gi/interface/sxm"])
    func noMatch(_ key: String) {
        #expect(median(key) == nil)
    }

    @Test("the interface token is a case-insensitive prefix of the inventory's name")
    func interface() {
        #expect(MarketMatch.interfaceMatches("sxm", "SXM4"))
        #expect(MarketMatch.interfaceMatches("PCIE", "PCIe"))
        #expect(!MarketMatch.interfaceMatches("sxm", "PCIe"))
        #expect(!MarketMatch.interfaceMatches("sxm5", "SXM4"))
    }
}
