/// A GPU model as the Akash Console `/v1/gpu-prices` lists it: `{vendor, model, ram, interface}`, where
/// `interface` is the provider inventory's spelling (`SXM5`, `SXM4`, `PCIe`).
protocol MarketGPUModel {
    var vendor: String { get }
    var model: String { get }
    var ram: String { get }
    var interface: String { get }
}

extension GPUPrices.GPUModel: MarketGPUModel {}

/// Which `/v1/gpu-prices` row a lease's (or a cloud price's) GPU model is. Vendor, model and ram compare
/// exactly; the interface token compares case-insensitively as a prefix, so `sxm` matches `SXM5` and `SXM4`,
/// `pcie` matches `PCIe` (the Console's own `isInterfaceMatching`). A ram or interface the attribute does not
/// give matches any. When that leaves more than one row (an `h100` without interface: `SXM5` and `PCIe`), there
/// is no match: a ratio against the wrong median would be a made-up value.
enum MarketMatch {
    static func matches(_ attribute: GPUAttribute, _ row: some MarketGPUModel) -> Bool {
        guard !attribute.isWildcard, attribute.vendor == row.vendor, attribute.model == row.model else { return false }
        if let ram = attribute.ram, ram != row.ram { return false }
        if let interface = attribute.interface, !interfaceMatches(interface, row.interface) { return false }
        return true
    }

    /// `sxm` ~ `SXM5`, `pcie` ~ `PCIe`: the tenant's token is a case-insensitive prefix of the inventory's name.
    static func interfaceMatches(_ token: String, _ marketInterface: String) -> Bool {
        marketInterface.lowercased().hasPrefix(token.lowercased())
    }

    /// The only row matching `attribute`, nil when none or several do.
    static func uniqueRow<Row: MarketGPUModel>(for attribute: GPUAttribute, in rows: [Row]) -> Row? {
        var found: Row?
        for row in rows where matches(attribute, row) {
            guard found == nil else { return nil }
            found = row
        }
        return found
    }

    /// The network median per GPU-hour of the model, nil when there is no unique row or the row has no median.
    static func median(for attribute: GPUAttribute, in rows: [GPUPrices.GPUModel]) -> Double? {
        uniqueRow(for: attribute, in: rows)?.price?.med
    }
}
