import ExporterKit
import FoundationEssentials

/// The id of a bid, and of the lease made from it (`LeaseID(bid.ID)`): the 6-tuple a lease is joined to its
/// winning bid on.
struct BidID: Hashable, Sendable {
    var owner: String
    var dseq: String
    var gseq: Int64
    var oseq: Int64
    var provider: String
    var bseq: Int64
}

extension BidID: Decodable {
    enum CodingKeys: String, CodingKey {
        case owner, dseq, gseq, oseq, provider, bseq
    }

    /// gRPC-gateway writes `dseq` (uint64) as a string and the uint32 sequences as numbers; both are accepted.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        owner = try container.decode(String.self, forKey: .owner)
        dseq = String(try container.decode(JSONInteger.self, forKey: .dseq).value)
        gseq = try container.decode(JSONInteger.self, forKey: .gseq).value
        oseq = try container.decode(JSONInteger.self, forKey: .oseq).value
        provider = try container.decode(String.self, forKey: .provider)
        // bseq is 0 for nearly every bid, and proto3 JSON may omit a zero.
        bseq = try container.decodeIfPresent(JSONInteger.self, forKey: .bseq)?.value ?? 0
    }
}

/// One `akash.market.v1beta5.Bid`, the parts the exporter uses.
struct Bid: Sendable, Equatable {
    var id: BidID
    /// `open`, `active` (won: a lease runs on it), `lost` or `closed`.
    var state: String
    /// For the whole group (every unit and replica), per block.
    var price: DecCoin
    /// What the provider offered, one entry per resource unit of the group; nil when the bid has none (bids
    /// from before market v1beta4, or an empty list), so the caller falls back to the group spec.
    var offer: [GPUUnit]?

    /// The GPUs the offer rents; nil without an offer.
    var rentedGPUs: RentedGPUs? { offer.map(RentedGPUs.init) }
}

extension Bid: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, state, price
        case resourcesOffer = "resources_offer"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(BidID.self, forKey: .id)
        state = try container.decode(String.self, forKey: .state)
        price = try container.decode(DecCoin.self, forKey: .price)
        let units = try container.decodeIfPresent([ResourceUnit].self, forKey: .resourcesOffer) ?? []
        offer = units.isEmpty ? nil : units.map(\.gpu)
    }
}

/// One resource unit of a deployment group (`group_spec.resources[]`: `{resource, count, price}`) or of a bid
/// offer (`resources_offer[]`: `{resources, count, prices}`): the chain names the same field `resource` in the
/// group and `resources` in the offer, so this reads either. Only the GPU part is kept.
struct ResourceUnit: Decodable, Sendable {
    let gpu: GPUUnit

    enum CodingKeys: String, CodingKey {
        case resource, resources, count
    }

    struct Resources: Decodable, Sendable {
        /// Absent on some clients' CPU-only units: no GPU.
        let gpu: GPU?
    }

    /// `akash.base.resources.v1beta4.GPU`: `units.val` is a `math.Int`, written as a decimal string.
    struct GPU: Decodable, Sendable {
        struct Units: Decodable, Sendable {
            let val: JSONInteger
        }

        let units: Units
        let attributes: [ChainAttribute]?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let resources = try container.decodeIfPresent(Resources.self, forKey: .resources)
            ?? container.decode(Resources.self, forKey: .resource)
        let count = try container.decode(JSONInteger.self, forKey: .count).value
        let units = resources.gpu?.units.val.value ?? 0
        guard count >= 0, units >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: container,
                                                   debugDescription: "negative count or GPU units")
        }
        gpu = GPUUnit(count: count, gpusPerReplica: units, models: GPUAttribute.models(in: resources.gpu?.attributes ?? []))
    }
}

/// One page of `GET /akash/market/v1beta5/bids/list` (`QueryBidsResponse`); each entry's `escrow_account` is
/// left undecoded.
struct BidsPage: ChainPage {
    struct Entry: Decodable, Sendable {
        let bid: Bid
    }

    let bids: [Entry]
    let pagination: PageResponse?

    var items: [Bid] { bids.map(\.bid) }
}

extension ChainREST {
    static let bidsPath = "/akash/market/v1beta5/bids/list"

    /// Every bid of `address` (a tenant or a provider, per `side`) in `state`, all pages. The filter is the server's
    /// job; checking the state again keeps a mirror that ignores it from turning lost or closed bids into live ones.
    func bids(of address: String, side: Side, state: String, context: PollContext) async throws(SourceFailure) -> [Bid] {
        try await fetchAllPages(BidsPage.self, Self.bidsPath, query: [(side.filter, address), ("filters.state", state)],
                                what: "\(state) bids of \(address)", context: context) { $0.state == state ? $0 : nil }
    }
}
