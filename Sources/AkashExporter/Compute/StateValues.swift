import Exposition

/// The `state` label and value of each count in a Console `{active, pending, available, total}` or
/// `{total, available}` object, in the order they are exported.
typealias StateValues = [(state: String, value: Double)]

extension MetricFamily {
    /// Adds one sample per state, each with `labels` plus `state`.
    mutating func add(_ states: StateValues, labels: [Label] = []) {
        for (state, value) in states {
            add(value, labels: labels + [Label("state", state)])
        }
    }
}
