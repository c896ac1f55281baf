import Foundation
import Synchronization
@testable import AkashExporter
import ExporterKit
import Exposition
import TestSupport

/// Shared pieces of the market tests: a fixed clock, config from flags, polling a source, captured logs.
enum MarketTesting {
    /// 2026-05-26T12:05:00Z, a minute after the fixtures' `last_updated`.
    static let now = Date(timeIntervalSince1970: 1_779_797_100)
    static let apiKey = "cmc-test-key-0f9e8d7c"

    static func config(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> MarketConfig {
        try MarketConfig(AreaTesting.flags(arguments, environment: environment), environment: environment)
    }

    static func source(_ name: String, of area: MadeSources) -> (any PolledSource)? {
        area.sources.first { $0.name == name }
    }

    static func render(_ area: MadeSources, at now: Date) throws -> String {
        try TextFormat.renderString(area.collectors.flatMap { $0.collect(now: now) })
    }

    static func decode<T: Decodable>(_ type: T.Type, fixture: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Fixtures.data(fixture))
    }
}
