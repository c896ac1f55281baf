/// The data model of one exposition: families of samples, nothing domain specific.

/// The metric types this exporter emits. `info` families are gauges named `*_info` with the value 1
/// (the text format 0.0.4 has no info type).
public enum MetricType: String, Sendable {
    case gauge
    case counter
}

/// One label pair. Names are fixed by the code; values come from upstream data and are escaped on output.
public struct Label: Hashable, Sendable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One sample: a label set and a value. Sample timestamps are never emitted.
public struct Sample: Sendable, Equatable {
    public let labels: [Label]
    public let value: Double

    public init(labels: [Label] = [], value: Double) {
        self.labels = labels
        self.value = value
    }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.labels == rhs.labels && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// A metric family: one name, one HELP, one TYPE, any number of samples.
public struct MetricFamily: Sendable, Equatable {
    public let name: String
    public let help: String
    public let type: MetricType
    public private(set) var samples: [Sample]

    public init(name: String, help: String, type: MetricType, samples: [Sample] = []) {
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
    }

    /// A gauge family.
    public static func gauge(_ name: String, _ help: String) -> MetricFamily {
        MetricFamily(name: name, help: help, type: .gauge)
    }

    /// A counter family; the name must end in `_total`.
    public static func counter(_ name: String, _ help: String) -> MetricFamily {
        MetricFamily(name: name, help: help, type: .counter)
    }

    /// An info family (`*_info` gauge with one sample of value 1 carrying the labels).
    public static func info(_ name: String, _ help: String, labels: KeyValuePairs<String, String>) -> MetricFamily {
        var family = MetricFamily(name: name, help: help, type: .gauge)
        family.add(1, labels)
        return family
    }

    /// Adds a sample. A `nil` value adds nothing: a value upstream did not give is absent, never 0.
    public mutating func add(_ value: Double?, _ labels: KeyValuePairs<String, String> = [:]) {
        guard let value else { return }
        samples.append(Sample(labels: labels.map { Label($0.key, $0.value) }, value: value))
    }

    /// Adds a sample with labels built at run time.
    public mutating func add(_ value: Double?, labels: [Label]) {
        guard let value else { return }
        samples.append(Sample(labels: labels, value: value))
    }

    /// Appends the samples of another family of the same name (several collectors may feed one family).
    public mutating func merge(_ other: MetricFamily) {
        samples.append(contentsOf: other.samples)
    }

    public var isEmpty: Bool { samples.isEmpty }
}
