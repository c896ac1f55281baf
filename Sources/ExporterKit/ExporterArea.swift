/// One area of the exporter (market signals, compute prices, account costs): the sources it polls and the
/// collectors that turn their last good data into metric families. The application wires areas together.
public protocol ExporterArea: Sendable {
    var sources: [any PolledSource] { get }
    var collectors: [any MetricsCollector] { get }
}
