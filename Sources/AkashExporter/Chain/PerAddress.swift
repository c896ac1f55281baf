import ExporterKit
import FoundationEssentials

/// One `LastGood` box per watched account address (a tenant or a provider), so that a failed request for one
/// address leaves the others' fresh data alone and lets only its own age out.
final class PerAddress<Value: Sendable>: Sendable {
    let addresses: [String]
    private let boxes: [String: LastGood<Value>]

    init(_ addresses: [String], pollInterval: Double) {
        self.addresses = addresses
        boxes = Dictionary(uniqueKeysWithValues: addresses.map { ($0, LastGood<Value>(pollInterval: pollInterval)) })
    }

    /// The address's value while it is fresh.
    func value(for address: String, now: Date) -> Value? {
        boxes[address]?.value(now: now)
    }

    /// Fetches every address in turn and stores each success at `now`; after trying all of them, throws the first
    /// failure so the source is reported down while any address is missing.
    func refresh(now: Date, _ fetch: (String) async throws(SourceFailure) -> Value) async throws(SourceFailure) {
        var firstFailure: SourceFailure?
        for address in addresses {
            do throws(SourceFailure) {
                boxes[address]!.set(try await fetch(address), at: now)
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        if let firstFailure { throw firstFailure }
    }
}
