import ExporterKit
import FoundationEssentials

/// One `LastGood` box per watched owner address, so that a failed request for one owner leaves the others'
/// fresh data alone and lets only its own age out.
final class PerOwner<Value: Sendable>: Sendable {
    let owners: [String]
    private let boxes: [String: LastGood<Value>]

    init(owners: [String], pollInterval: Double) {
        self.owners = owners
        boxes = Dictionary(uniqueKeysWithValues: owners.map { ($0, LastGood<Value>(pollInterval: pollInterval)) })
    }

    /// The owner's value while it is fresh.
    func value(for owner: String, now: Date) -> Value? {
        boxes[owner]?.value(now: now)
    }

    /// Fetches every owner in turn and stores each success at `now`; after trying all of them, throws the first
    /// failure so the source is reported down while any owner is missing.
    func refresh(now: Date, _ fetch: (String) async throws(SourceFailure) -> Value) async throws(SourceFailure) {
        var firstFailure: SourceFailure?
        for owner in owners {
            do throws(SourceFailure) {
                boxes[owner]!.set(try await fetch(owner), at: now)
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        if let firstFailure { throw firstFailure }
    }
}
