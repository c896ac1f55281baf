@testable import AkashExporter
import Testing

@Suite("GPU: the attribute key vendor/<v>/model/<m>[/ram/<r>][/interface/<i>]")
struct GPUAttributeTests {
    @Test("a full key: vendor, model, ram, interface")
    func full() throws {
        let attribute = try #require(GPUAttribute(key: "vendor/nvidia/model/h100/ram/80Gi/interface/sxm"))
        #expect(attribute == GPUAttribute(vendor: "nvidia", model: "h100", ram: "80Gi", interface: "sxm"))
        #expect(attribute.description == "vendor/nvidia/model/h100/ram/80Gi/interface/sxm")
        #expect(!attribute.isWildcard)
    }

    @Test("ram and interface are optional; labels are empty for what the key did not say")
    func optionalParts() throws {
        let modelOnly = try #require(GPUAttribute(key: "vendor/nvidia/model/h100"))
        #expect(modelOnly.ram == nil && modelOnly.interface == nil)
        #expect(modelOnly.labelValues == ("nvidia", "h100", "", ""))
        let interfaceOnly = try #require(GPUAttribute(key: "vendor/amd/model/mi300x/interface/pcie"))
        #expect(interfaceOnly == GPUAttribute(vendor: "amd", model: "mi300x", interface: "pcie"))
    }

    @Test("read as name/value pairs, so the order does not matter")
    func order() {
        #expect(GPUAttribute(key: "vendor/nvidia/model/a100/interface/pcie/ram/40Gi")
                == GPUAttribute(vendor: "nvidia", model: "a100", ram: "40Gi", interface: "pcie"))
    }

    @Test("any model of the vendor is the wildcard")
    func wildcard() throws {
        #expect(try #require(GPUAttribute(key: "vendor/nvidia/model/*")).isWildcard)
    }

    @Test("not a GPU attribute", arguments: [
        "", "vendor/nvidia", "vendor/nvidia/model", "vendor/nvidia/model/", "model/h100", "vendor//model/h100",
        "vendor/nvidia/model/h100/ram", "vendor/nvidia/model/h100/speed/fast", "vendor/nvidia/model/h100/model/a100",
        "capabilities/storage/1/class",
    ])
    func malformed(_ key: String) {
        #expect(GPUAttribute(key: key) == nil)
    }

    @Test("the models a gpu.attributes list allows: value true only, unreadable keys skipped, repeats once")
    func models() {
        let attributes = [
            ChainAttribute(key: "vendor/nvidia/model/a100/ram/80Gi", value: "true"),
            ChainAttribute(key: "vendor/nvidia/model/h100/ram/80Gi", value: "true"),
            ChainAttribute(key: "vendor/nvidia/model/a100/ram/80Gi", value: "true"),
            ChainAttribute(key: "vendor/nvidia/model/v100", value: "false"),
            ChainAttribute(key: "garbage", value: "true"),
        ]
        #expect(GPUAttribute.models(in: attributes) == [
            GPUAttribute(vendor: "nvidia", model: "a100", ram: "80Gi"),
            GPUAttribute(vendor: "nvidia", model: "h100", ram: "80Gi"),
        ])
    }
}
