import ExporterKit
import FoundationEssentials

// The whole network's leases and bids in one state, with no owner or provider filter: the chain walks its state
// index (`filters.state` is required for that walk, and a resumed page still applies the filters, so the same
// ones are sent with every `pagination.key`). `pagination.total` is the page's count, not a grand total: the
// pages are simply followed to the end.

extension ActiveLease {
    /// The lease as the list wrote it.
    init(_ lease: LeasesPage.Lease) {
        self.init(owner: lease.id.owner, dseq: lease.id.dseq, gseq: lease.id.gseq.value, oseq: lease.id.oseq.value,
                  provider: lease.id.provider, bseq: lease.id.bseq?.value ?? 0, price: lease.price)
    }
}

extension ChainREST {
    /// Every lease of the network in `state` (`active`, `reclaiming`), all pages of `pageLimit`. The state is checked
    /// again: a mirror that ignores the filter must not turn closed leases into paying ones.
    func networkLeases(state: String, pageLimit: Int, context: PollContext) async throws(SourceFailure) -> [ActiveLease] {
        let entries = try await fetchAllPages(LeasesPage.self, LeasesPage.path, query: [("filters.state", state)],
                                              what: "\(state) leases of the network", pageLimit: pageLimit, context: context)
        return entries.compactMap { $0.lease.state == state ? ActiveLease($0.lease) : nil }
    }

    /// Every bid of the network in `state`, all pages of `pageLimit`, the state checked again.
    func networkBids(state: String, pageLimit: Int, context: PollContext) async throws(SourceFailure) -> [Bid] {
        let bids = try await fetchAllPages(BidsPage.self, Self.bidsPath, query: [("filters.state", state)],
                                           what: "\(state) bids of the network", pageLimit: pageLimit, context: context)
        return bids.filter { $0.state == state }
    }
}
