import ExporterKit
import FoundationEssentials

/// The parts of `QueryDeploymentsResponse` the exporter uses.
struct DeploymentsPage: ChainPage {
    struct Entry: Decodable, Sendable {
        let deployment: Deployment
        let groups: [Group]?
        let escrowAccount: EscrowAccount?

        enum CodingKeys: String, CodingKey {
            case deployment, groups
            case escrowAccount = "escrow_account"
        }
    }

    /// A deployment group: only its GPU units are read (the GPU price check's fallback for bids without an offer).
    /// A group the exporter cannot read is left out (nil) rather than failing the poll: the escrow figures do not
    /// depend on it.
    struct Group: Decodable, Sendable {
        struct ID: Decodable, Sendable {
            let gseq: JSONInteger
        }

        struct Spec: Decodable, Sendable {
            let resources: [ResourceUnit]
        }

        let gseq: Int64?
        let gpuUnits: [GPUUnit]?
        /// `open` (waiting for a bid, or leased), `paused`, `insufficient_funds`, `closed`.
        let state: String?

        enum CodingKeys: String, CodingKey {
            case id, state
            case groupSpec = "group_spec"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            gseq = (try? container.decode(ID.self, forKey: .id))?.gseq.value
            state = try? container.decode(String.self, forKey: .state)
            gpuUnits = (try? container.decode(Spec.self, forKey: .groupSpec))?.resources.map(\.gpu)
        }
    }

    struct Deployment: Decodable, Sendable {
        struct ID: Decodable, Sendable {
            let dseq: String
        }

        let id: ID
        let state: String
    }

    struct EscrowAccount: Decodable, Sendable {
        let state: EscrowState
    }

    /// `akash.escrow.types.v1.AccountState`: `funds` is what is left as of `settled_at`, `transferred` what was
    /// paid out so far.
    struct EscrowState: Decodable, Sendable {
        let state: String
        let funds: [DecCoin]
        let settledAt: JSONInteger
        let transferred: [DecCoin]?

        enum CodingKeys: String, CodingKey {
            case state, funds, transferred
            case settledAt = "settled_at"
        }
    }

    let deployments: [Entry]
    let pagination: PageResponse?

    var items: [Entry] { deployments }
}
