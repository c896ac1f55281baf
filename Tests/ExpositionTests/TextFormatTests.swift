import Foundation
import Testing
@testable import Exposition

@Suite("Text format 0.0.4 rendering")
struct TextFormatTests {
    @Test("a gauge and a counter render as a golden string, families sorted by name")
    func goldenString() throws {
        var up = MetricFamily.gauge("b_up", "Whether the source is up.")
        up.add(1, ["source": "z"])
        up.add(0, ["source": "a"])
        var requests = MetricFamily.counter("a_requests_total", "Requests made.")
        requests.add(42)
        let text = try TextFormat.renderString([up, requests])
        #expect(text == """
            # HELP a_requests_total Requests made.
            # TYPE a_requests_total counter
            a_requests_total 42
            # HELP b_up Whether the source is up.
            # TYPE b_up gauge
            b_up{source="a"} 0
            b_up{source="z"} 1

            """)
    }

    @Test("label values escape backslash, double quote and line feed")
    func labelEscaping() throws {
        var family = MetricFamily.gauge("gpu", "GPUs.")
        family.add(1, ["model": "rtx \"4090\" \\ new\nline"])
        let text = try TextFormat.renderString([family])
        #expect(text.contains(#"gpu{model="rtx \"4090\" \\ new\nline"} 1"#))
    }

    @Test("HELP escapes backslash and line feed but not the double quote")
    func helpEscaping() throws {
        var family = MetricFamily.gauge("x", "a \"quoted\" back\\slash\nsecond line")
        family.add(1)
        let text = try TextFormat.renderString([family])
        #expect(text.hasPrefix(#"# HELP x a "quoted" back\\slash\nsecond line"# + "\n"))
    }

    @Test("special and ordinary values are spelled so they parse back exactly",
          arguments: [
            (Double.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (0, "0"), (-0.0, "0"), (1, "1"),
            (-1, "-1"), (0.052, "0.052"), (1e-07, "1e-07"), (1700000000.123, "1700000000.123"),
            (123456789012, "123456789012"), (1.5e300, "1.5e+300"), (0.1 + 0.2, "0.30000000000000004"),
          ])
    func values(value: Double, expected: String) {
        #expect(TextFormat.formatValue(value) == expected)
        if !value.isNaN { #expect(Double(expected.replacingOccurrences(of: "Inf", with: "inf")) == value) }
    }

    @Test("same data in a different order gives the same bytes")
    func deterministic() throws {
        var first = MetricFamily.gauge("m", "M.")
        first.add(1, ["a": "2"])
        first.add(2, ["a": "1"])
        var second = MetricFamily.gauge("m", "M.")
        second.add(2, ["a": "1"])
        second.add(1, ["a": "2"])
        var other = MetricFamily.gauge("l", "L.")
        other.add(3)
        #expect(try TextFormat.render([first, other]) == TextFormat.render([other, second]))
    }

    @Test("families of the same name from two collectors merge under one HELP and TYPE")
    func merging() throws {
        var one = MetricFamily.gauge("up_of", "Up.")
        one.add(1, ["source": "b"])
        var two = MetricFamily.gauge("up_of", "Up.")
        two.add(0, ["source": "a"])
        let text = try TextFormat.renderString([one, two])
        #expect(text.components(separatedBy: "# TYPE up_of gauge").count == 2)
        #expect(text.hasSuffix("up_of{source=\"a\"} 0\nup_of{source=\"b\"} 1\n"))
    }

    @Test("a family without samples is left out; a nil value adds no sample")
    func absentValues() throws {
        var family = MetricFamily.gauge("maybe", "Maybe.")
        family.add(nil, ["k": "v"])
        #expect(family.isEmpty)
        #expect(try TextFormat.renderString([family]) == "")
    }

    @Test("a repeated label set is kept once, the first one given")
    func duplicates() throws {
        var family = MetricFamily.gauge("d", "D.")
        family.add(1, ["k": "v"])
        family.add(2, ["k": "v"])
        #expect(try TextFormat.renderString([family]) == "# HELP d D.\n# TYPE d gauge\nd{k=\"v\"} 1\n")
    }

    @Test("invalid names and conflicting families are errors, not bad output")
    func validation() {
        var badName = MetricFamily.gauge("1bad", "x")
        badName.add(1)
        #expect(throws: ExpositionError.invalidMetricName("1bad")) { try TextFormat.render([badName]) }
        var badLabel = MetricFamily.gauge("ok", "x")
        badLabel.add(1, ["__reserved": "v"])
        #expect(throws: ExpositionError.invalidLabelName(metric: "ok", label: "__reserved")) {
            try TextFormat.render([badLabel])
        }
        var counter = MetricFamily.counter("requests", "x")
        counter.add(1)
        #expect(throws: ExpositionError.counterWithoutTotalSuffix("requests")) { try TextFormat.render([counter]) }
        var gauge = MetricFamily.gauge("same", "x")
        gauge.add(1)
        var other = MetricFamily.gauge("same", "different help")
        other.add(2)
        #expect(throws: ExpositionError.conflictingFamilies("same")) { try TextFormat.render([gauge, other]) }
    }

    @Test("name rules", arguments: [("a", true), ("a_b:c9", true), ("_x", true), ("9a", false), ("a-b", false), ("", false)])
    func metricNames(name: String, valid: Bool) {
        #expect(Names.isValidMetricName(name) == valid)
    }

    @Test("info families carry their labels with the value 1")
    func info() throws {
        let family = MetricFamily.info("x_build_info", "Build.", labels: ["version": "1.0"])
        #expect(try TextFormat.renderString([family]).hasSuffix("x_build_info{version=\"1.0\"} 1\n"))
    }
}
