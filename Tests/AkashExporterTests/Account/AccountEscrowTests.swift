@testable import AkashExporter
import Testing

@Suite("Account: escrow left and runway")
struct AccountEscrowTests {
    static func amount(_ text: String) -> ChainDecimal { ChainDecimal(text)! }

    /// The real escrow of `deployment-info.json`: 292317.57 uact settled at height 16122572.
    static let realEscrow = DeploymentEscrow(dseq: "16122570", funds: ["uact": amount("292317.57")], settledAt: 16_122_572)

    @Test("one lease: 1000 blocks at 4.826603 uact leave 287490.967 uact, 59564.07… blocks of runway")
    func oneLease() throws {
        let projection = EscrowProjection.project(Self.realEscrow, ratePerBlock: ["uact": Self.amount("4.826603")],
                                                  height: 16_123_572)
        #expect(projection.left == ["uact": Self.amount("287490.967")])
        let blocks = try #require(projection.runwayBlocks)
        #expect(abs(blocks - 287_490.967 / 4.826603) < 1e-9)
    }

    @Test("several leases: their prices add up to the rate, and the runway shrinks accordingly")
    func severalLeases() throws {
        let leases = [
            ActiveLease(owner: "akash1tenant", dseq: "16122570", gseq: 1, oseq: 1, provider: "p1", price: DecCoin(denom: "uact", amount: Self.amount("4.826603"))),
            ActiveLease(owner: "akash1tenant", dseq: "16122570", gseq: 2, oseq: 1, provider: "p2", price: DecCoin(denom: "uact", amount: Self.amount("120"))),
            ActiveLease(owner: "akash1tenant", dseq: "99", gseq: 1, oseq: 1, provider: "p3", price: DecCoin(denom: "uact", amount: Self.amount("1"))),
        ]
        let spend = OwnerSpend(leases)
        let rate = try #require(spend.rate(of: "16122570"))
        #expect(rate == ["uact": Self.amount("124.826603")])
        #expect(spend.total == ["uact": Self.amount("125.826603")])
        #expect(spend.activeLeases == 3)

        let projection = EscrowProjection.project(Self.realEscrow, ratePerBlock: rate, height: 16_123_572)
        #expect(projection.left == ["uact": Self.amount("167490.967")])
        #expect(abs(try #require(projection.runwayBlocks) - 167_490.967 / 124.826603) < 1e-9)
    }

    @Test("a deployment without a paying lease has its funds left and no runway")
    func zeroRate() {
        let projection = EscrowProjection.project(Self.realEscrow, ratePerBlock: [:], height: 16_200_000)
        #expect(projection.left == Self.realEscrow.funds)
        #expect(projection.runwayBlocks == nil)
        let zeroPrice = EscrowProjection.project(Self.realEscrow, ratePerBlock: ["uact": .zero], height: 16_200_000)
        #expect(zeroPrice.runwayBlocks == nil)
    }

    @Test("overdrawn by unsettled blocks: balance 0 and runway 0, not negative")
    func overdrawnByBlocks() {
        // 292317.57 uact last 60563 blocks at 4.826603; 100000 blocks later it is gone.
        let projection = EscrowProjection.project(Self.realEscrow, ratePerBlock: ["uact": Self.amount("4.826603")],
                                                  height: 16_222_572)
        #expect(projection.left == ["uact": .zero])
        #expect(projection.runwayBlocks == 0)
    }

    @Test("an escrow the chain marked overdrawn holds nothing, whatever its funds say")
    func overdrawnState() {
        var escrow = Self.realEscrow
        escrow.overdrawn = true
        let projection = EscrowProjection.project(escrow, ratePerBlock: ["uact": Self.amount("1")], height: 16_122_572)
        #expect(projection.left == ["uact": .zero])
        #expect(projection.runwayBlocks == 0)
    }

    @Test("leases paid in a denom the escrow has no funds in: nothing left for them, runway 0")
    func missingDenom() {
        let projection = EscrowProjection.project(Self.realEscrow, ratePerBlock: ["uakt": Self.amount("10")], height: 16_122_600)
        #expect(projection.left == ["uact": Self.amount("292317.57"), "uakt": .zero])
        #expect(projection.runwayBlocks == 0)
    }

    @Test("two denoms: the runway is the first one to run out")
    func twoDenoms() {
        let escrow = DeploymentEscrow(dseq: "1", funds: ["uact": Self.amount("1000"), "uakt": Self.amount("100")], settledAt: 0)
        let projection = EscrowProjection.project(escrow, ratePerBlock: ["uact": Self.amount("1"), "uakt": Self.amount("1")],
                                                  height: 50)
        #expect(projection.left == ["uact": Self.amount("950"), "uakt": Self.amount("50")])
        #expect(projection.runwayBlocks == 50)
    }

    @Test("a block height older than the settlement counts no blocks, rather than adding funds")
    func heightBehindSettlement() {
        let projection = EscrowProjection.project(Self.realEscrow, ratePerBlock: ["uact": Self.amount("1")], height: 16_122_000)
        #expect(projection.left == Self.realEscrow.funds)
    }

    @Test("a rate × blocks beyond Int128 leaves nothing rather than crashing")
    func overflow() {
        let projection = EscrowProjection.project(Self.realEscrow, ratePerBlock: ["uact": ChainDecimal("170141183460469231731")!],
                                                  height: .max)
        #expect(projection.left == ["uact": .zero])
    }
}
