/// One acceptable GPU model as a deployment group or a bid offer names it: the attribute key
/// `vendor/<vendor>/model/<model>[/ram/<ram>][/interface/<interface>]` (value `"true"`).
///
/// The SDL tools write ram before interface, but the key is read as name/value pairs (as the Akash Console's
/// `parseGPUAttributes` does), so the order does not matter. `model` is `*` when the tenant allowed any model
/// of the vendor. The chain does not validate these keys, so anything else is simply not a GPU attribute (nil).
struct GPUAttribute: Hashable, Sendable, CustomStringConvertible {
    static let wildcard = "*"

    var vendor: String
    var model: String
    /// As written (`80Gi`); nil when the attribute did not say.
    var ram: String?
    /// The tenant's token (`sxm`, `pcie`); nil when the attribute did not say.
    var interface: String?

    init(vendor: String, model: String, ram: String? = nil, interface: String? = nil) {
        self.vendor = vendor
        self.model = model
        self.ram = ram
        self.interface = interface
    }

    /// Parses an attribute key; nil unless it has a non-empty vendor and model, only known names, each once.
    init?(key: String) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count.isMultiple(of: 2) else { return nil }
        var fields: [Substring: String] = [:]
        for index in stride(from: 0, to: parts.count, by: 2) {
            let (name, value) = (parts[index], parts[index + 1])
            guard ["vendor", "model", "ram", "interface"].contains(name), !value.isEmpty,
                  fields.updateValue(String(value), forKey: name) == nil else { return nil }
        }
        guard let vendor = fields["vendor"], let model = fields["model"] else { return nil }
        self.init(vendor: vendor, model: model, ram: fields["ram"], interface: fields["interface"])
    }

    /// Any model of the vendor (`vendor/nvidia/model/*`): says nothing about which GPU is rented.
    var isWildcard: Bool { model == Self.wildcard }

    /// The models a `gpu.attributes[]` list allows: one per parseable key whose value is `"true"` (the only
    /// value the SDL tools write; anything else does not allow the model), in the order given, without repeats.
    static func models(in attributes: [ChainAttribute]) -> [GPUAttribute] {
        var models: [GPUAttribute] = []
        for attribute in attributes where attribute.value == "true" {
            if let model = GPUAttribute(key: attribute.key), !models.contains(model) { models.append(model) }
        }
        return models
    }

    /// The exported labels: ram and interface are empty when the attribute said nothing.
    var labelValues: (vendor: String, model: String, ram: String, interface: String) {
        (vendor, model, ram ?? "", interface ?? "")
    }

    var description: String {
        var key = "vendor/\(vendor)/model/\(model)"
        if let ram { key += "/ram/\(ram)" }
        if let interface { key += "/interface/\(interface)" }
        return key
    }
}

/// An `akash.base.attributes.v1.Attribute`: `{"key": "...", "value": "..."}`.
struct ChainAttribute: Decodable, Sendable, Equatable {
    let key: String
    let value: String
}
