import Foundation
import Synchronization
import Testing
import Exposition
import TestSupport
@testable import ExporterKit

/// A collector whose output the test sets.
final class SettableCollector: MetricsCollector {
    private let families = Mutex<[MetricFamily]>([])

    func set(_ value: Double, name: String = "test_value") {
        var family = MetricFamily.gauge(name, "A value.")
        family.add(value)
        families.withLock { $0 = [family] }
    }

    func collect(now: Date) -> [MetricFamily] { families.withLock { $0 } }
}

@Suite struct ExpositionPublisherTests {
    let log = LogCapture()
    let collector = SettableCollector()

    @Test func sameDataKeepsTheSameBytesAndVersion() {
        let publisher = ExpositionPublisher(collectors: [collector], logger: log.logger())
        collector.set(1.5)
        #expect(publisher.refresh())
        let first = publisher.snapshot
        #expect(publisher.refresh() == false)
        #expect(publisher.snapshot.version == first.version)
        #expect(publisher.current == Array("# HELP test_value A value.\n# TYPE test_value gauge\ntest_value 1.5\n".utf8))
    }

    @Test func newDataReplacesTheBodyAndBumpsTheVersion() {
        let publisher = ExpositionPublisher(collectors: [collector], logger: log.logger())
        collector.set(1)
        publisher.refresh()
        collector.set(2)
        #expect(publisher.refresh())
        #expect(publisher.snapshot.version == 2)
        #expect(String(decoding: publisher.current, as: UTF8.self).hasSuffix("test_value 2\n"))
    }

    @Test func aChangeIsRenderedAtOnceOnlyWhileServed() {
        let publisher = ExpositionPublisher(collectors: [collector], logger: log.logger())
        collector.set(1)
        publisher.refreshAfterChange(now: Date())
        #expect(publisher.snapshot.version == 0)
        publisher.startPeriodicRefresh(every: 3600)
        defer { publisher.stopPeriodicRefresh() }
        publisher.refreshAfterChange(now: Date())
        #expect(publisher.snapshot.version == 1)
        #expect(String(decoding: publisher.current, as: UTF8.self).hasSuffix("test_value 1\n"))
    }

    @Test func renderErrorKeepsThePreviousBodyAndIsLogged() {
        let publisher = ExpositionPublisher(collectors: [collector], logger: log.logger())
        collector.set(1)
        publisher.refresh()
        let before = publisher.snapshot
        collector.set(2, name: "not a metric name")
        #expect(publisher.refresh() == false)
        #expect(publisher.current == before.body)
        #expect(publisher.snapshot.version == before.version)
        #expect(log.lines.count == 1)
        #expect(log.lines.first?.contains("level=error msg=\"cannot render the exposition, serving the previous one\"") == true)
    }

    @Test func refreshDropsDataPastItsMaxAgeWithoutAPoll() {
        let box = LastGood<Double>(maxAge: 90)
        let polledAt = Date(timeIntervalSince1970: 1_700_000_000)
        box.set(3, at: polledAt)
        let publisher = ExpositionPublisher(collectors: [ValueCollector(source: "s", box: box)], logger: log.logger())
        publisher.refresh(now: polledAt.addingTimeInterval(60))
        #expect(String(decoding: publisher.current, as: UTF8.self).contains("test_value{source=\"s\"} 3\n"))
        publisher.refresh(now: polledAt.addingTimeInterval(91))
        #expect(publisher.current.isEmpty)
    }

    @Test func scrapesShareOneBufferInsteadOfCopying() {
        let publisher = ExpositionPublisher(collectors: [collector], logger: log.logger())
        collector.set(1)
        publisher.refresh()
        let first = publisher.current, second = publisher.current
        #expect(first.withUnsafeBufferPointer { $0.baseAddress } == second.withUnsafeBufferPointer { $0.baseAddress })
    }

    @Test func periodicRefreshPicksUpNewDataWithoutAPoll() async {
        let publisher = ExpositionPublisher(collectors: [collector], logger: log.logger())
        collector.set(1)
        publisher.startPeriodicRefresh(every: 0.01)
        defer { publisher.stopPeriodicRefresh() }
        #expect(await eventually { String(decoding: publisher.current, as: UTF8.self).hasSuffix("test_value 1\n") })
        collector.set(2)
        #expect(await eventually { String(decoding: publisher.current, as: UTF8.self).hasSuffix("test_value 2\n") })
    }
}
