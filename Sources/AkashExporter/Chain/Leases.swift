import ExporterKit
import FoundationEssentials

/// One open lease: its id (tenant, deployment, group, order, provider, bid sequence), its price per block, its
/// state and what its escrow payment holds. The name is older than the states: since Mainnet 18 an open lease is
/// `active`, `reclaiming` (the provider gave notice; it still pays) or `insufficient_funds` (its escrow ran dry).
public struct ActiveLease: Sendable, Equatable {
    /// The tenant.
    public var owner: String
    public var dseq: String
    public var gseq: Int64
    public var oseq: Int64
    public var provider: String
    /// The provider's bid sequence on the order (market v1beta5); 0 when the chain did not say.
    public var bseq: Int64
    public var price: DecCoin
    /// `active`, `reclaiming` or `insufficient_funds`.
    public var state: String
    /// The provider's notice, when the winning bid offered a reclamation window.
    public var reclamation: Reclamation?
    /// Settled but not yet withdrawn by the provider (`escrow_payment.state.balance`); nil when the list left it out.
    public var unwithdrawn: DecCoin?

    /// The states of a lease that is still open, in the order they are asked for.
    public static let openStates = ["active", "reclaiming", "insufficient_funds"]

    /// The provider is paid for it: `active`, or `reclaiming` (the tenant keeps paying until the lease closes).
    public var isPaying: Bool { state == "active" || state == "reclaiming" }

    /// `lease.reclamation`: the window the winning bid offered, and once the provider started reclaiming, when it
    /// may close the lease.
    public struct Reclamation: Sendable, Equatable {
        /// Seconds of notice the provider gives.
        public var window: Double
        /// Unix seconds after which the provider may close the lease; nil before reclamation starts.
        public var deadline: Int64?

        public init(window: Double, deadline: Int64?) {
            self.window = window
            self.deadline = deadline
        }
    }

    public init(owner: String, dseq: String, gseq: Int64, oseq: Int64, provider: String, bseq: Int64 = 0, price: DecCoin,
                state: String = "active", reclamation: Reclamation? = nil, unwithdrawn: DecCoin? = nil) {
        self.owner = owner
        self.dseq = dseq
        self.gseq = gseq
        self.oseq = oseq
        self.provider = provider
        self.bseq = bseq
        self.price = price
        self.state = state
        self.reclamation = reclamation
        self.unwithdrawn = unwithdrawn
    }
}

extension ChainREST {
    /// Every active lease of `address` (a tenant or a provider, per `side`), all pages.
    func activeLeases(of address: String, side: Side, context: PollContext) async throws(SourceFailure) -> [ActiveLease] {
        try await leases(of: address, side: side, state: "active", context: context)
    }

    /// Every open lease of `address` (a tenant or a provider, per `side`): each state of `ActiveLease.openStates`
    /// asked in turn, all pages of each, since the state index is walked one state at a time and
    /// `filters.state=active` leaves the reclaiming ones out.
    func openLeases(of address: String, side: Side, context: PollContext) async throws(SourceFailure) -> [ActiveLease] {
        var leases: [ActiveLease] = []
        for state in ActiveLease.openStates {
            leases += try await self.leases(of: address, side: side, state: state, context: context)
        }
        return leases
    }

    /// Every lease of `address` in `state`, all pages.
    func leases(of address: String, side: Side, state: String, context: PollContext) async throws(SourceFailure) -> [ActiveLease] {
        let entries = try await fetchAllPages(LeasesPage.self, LeasesPage.path,
                                              query: [(side.filter, address), ("filters.state", state)],
                                              what: "\(state) leases of \(address)", context: context)
        // The filter is the server's job; checking the state again keeps a mirror that ignores it from counting a
        // lease twice or billing a closed one.
        return entries.compactMap { $0.lease.state == state ? $0.openLease : nil }
    }
}

/// The parts of `QueryLeasesResponse` the exporter uses.
struct LeasesPage: ChainPage {
    static let path = "/akash/market/v1beta5/leases/list"

    struct Entry: Decodable, Sendable {
        let lease: Lease
        /// Absent or null on servers older than market v1beta5.
        let escrowPayment: EscrowPayment?

        enum CodingKeys: String, CodingKey {
            case lease
            case escrowPayment = "escrow_payment"
        }

        var openLease: ActiveLease {
            ActiveLease(owner: lease.id.owner, dseq: lease.id.dseq, gseq: lease.id.gseq.value, oseq: lease.id.oseq.value,
                        provider: lease.id.provider, bseq: lease.id.bseq?.value ?? 0, price: lease.price, state: lease.state,
                        reclamation: lease.reclamation?.value, unwithdrawn: escrowPayment?.state.balance)
        }
    }

    struct Lease: Decodable, Sendable {
        let id: LeaseID
        let state: String
        let price: DecCoin
        /// `null` unless the winning bid offered a window (market v1, Mainnet 18).
        let reclamation: LeaseReclamation?
    }

    /// `{window: "86400s", started_at: "0", deadline: "0", reason}`: `deadline` is unix seconds, 0 until the provider
    /// starts reclaiming.
    struct LeaseReclamation: Decodable, Sendable {
        let window: String
        let deadline: JSONInteger?

        /// nil when the window is not a protobuf duration (`"86400s"`) or is negative: no window rather than a wrong one.
        var value: ActiveLease.Reclamation? {
            guard window.hasSuffix("s"), let seconds = Double(window.dropLast()), seconds.isFinite, seconds >= 0 else {
                return nil
            }
            let deadline = self.deadline?.value ?? 0
            return ActiveLease.Reclamation(window: seconds, deadline: deadline > 0 ? deadline : nil)
        }
    }

    /// `akash.escrow.types.v1.Payment`: only `state.balance`, what the provider may withdraw.
    struct EscrowPayment: Decodable, Sendable {
        struct State: Decodable, Sendable {
            let balance: DecCoin?
        }

        let state: State
    }

    struct LeaseID: Decodable, Sendable {
        let owner: String
        let dseq: String
        let gseq: JSONInteger
        let oseq: JSONInteger
        let provider: String
        /// Absent before market v1beta5.
        let bseq: JSONInteger?
    }

    let leases: [Entry]
    let pagination: PageResponse?

    var items: [Entry] { leases }
}
