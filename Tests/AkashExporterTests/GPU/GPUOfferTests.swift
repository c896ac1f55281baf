@testable import AkashExporter
import Foundation
import Testing
import TestSupport

@Suite("GPU: the GPUs an offer or a group rents, and the bid list")
struct GPUOfferTests {
    static let h100 = GPUAttribute(vendor: "nvidia", model: "h100", ram: "80Gi", interface: "sxm")
    static let a100 = GPUAttribute(vendor: "nvidia", model: "a100", ram: "80Gi")
    static let any = GPUAttribute(vendor: "nvidia", model: "*")

    @Test("Σ count × units over the units of one model: 2 replicas of 4 GPUs plus 1 of 1 is 9 GPUs")
    func singleModel() {
        let units = [GPUUnit(count: 2, gpusPerReplica: 4, models: [Self.h100]),
                     GPUUnit(count: 3, gpusPerReplica: 0, models: []),
                     GPUUnit(count: 1, gpusPerReplica: 1, models: [Self.h100])]
        #expect(RentedGPUs(units) == .single(RentedModel(model: Self.h100, gpus: 9)))
        #expect(RentedGPUs(units).perModel == [RentedModel(model: Self.h100, gpus: 9)])
    }

    @Test("units of different models: a count per model, sorted by key")
    func mixed() {
        let rented = RentedGPUs([GPUUnit(count: 1, gpusPerReplica: 2, models: [Self.h100]),
                                 GPUUnit(count: 3, gpusPerReplica: 1, models: [Self.a100])])
        #expect(rented == .mixed([RentedModel(model: Self.a100, gpus: 3), RentedModel(model: Self.h100, gpus: 2)]))
    }

    @Test("no GPU in any unit is a CPU-only group")
    func none() {
        #expect(RentedGPUs([GPUUnit(count: 4, gpusPerReplica: 0, models: [])]) == .none)
        #expect(RentedGPUs([]) == .none)
        #expect(RentedGPUs.none.perModel.isEmpty)
    }

    @Test("several allowed models, a wildcard or no readable attribute leave the model unknown: no guess",
          arguments: [[a100, h100], [any], []])
    func unknown(_ models: [GPUAttribute]) {
        let rented = RentedGPUs([GPUUnit(count: 1, gpusPerReplica: 1, models: [Self.h100]),
                                 GPUUnit(count: 1, gpusPerReplica: 1, models: models)])
        #expect(rented == .unknown)
        #expect(rented.perModel.isEmpty)
    }

    @Test("a count that overflows is unknown, not wrapped")
    func overflow() {
        #expect(RentedGPUs([GPUUnit(count: .max, gpusPerReplica: 2, models: [Self.h100])]) == .unknown)
    }

    @Test("a bid list page: the 6-tuple id, state, price, the offer's GPUs; no resources_offer gives no offer")
    func bidPage() throws {
        let page = try JSONDecoder().decode(BidsPage.self, from: Fixtures.data("gpu/bids-gpu-tenant.json"))
        #expect(page.items.count == 9)
        #expect(page.pagination?.nextKey == nil)
        let first = page.items[0]
        #expect(first.id == BidID(owner: "akash18rn0g40dekdf5k0y800flqyxpm2exnpmp56gnp", dseq: "27761400", gseq: 1, oseq: 1,
                                  provider: "akash1uu4879rw6uj3x6n26zqxzsae59sw2083w72zfq", bseq: 0))
        #expect(first.state == "active")
        #expect(first.price == DecCoin(denom: "uact", amount: ChainDecimal("4500")!))
        #expect(first.rentedGPUs == .single(RentedModel(model: Self.h100, gpus: 1)))
        let old = try #require(page.items.first { $0.id.dseq == "27761800" })
        #expect(old.offer == nil && old.rentedGPUs == nil)
        let mixed = try #require(page.items.first { $0.id.dseq == "27761900" })
        #expect(mixed.rentedGPUs?.perModel.count == 2)
        let rebid = page.items.filter { $0.id.dseq == "27762000" }
        #expect(rebid.map(\.id.bseq) == [0, 1] && rebid.map(\.state) == ["closed", "active"])
    }

    @Test("the assembled H100 sample and the real non-GPU bid decode; a CPU-only offer rents nothing")
    func samples() throws {
        let gpu = try JSONDecoder().decode(BidsPage.self, from: Fixtures.data("akash/bids-gpu-uact.json"))
        #expect(gpu.items.first?.rentedGPUs
                == .single(RentedModel(model: GPUAttribute(vendor: "nvidia", model: "h100", ram: "80Gi", interface: "sxm5"), gpus: 1)))
        let real = try JSONDecoder().decode(BidsPage.self, from: Fixtures.data("akash/bids.json"))
        #expect(real.items.first?.rentedGPUs == RentedGPUs.none)
        #expect(real.pagination?.nextKey?.isEmpty == false)
    }

    @Test("numbers or strings for the sequences, a missing bseq, null resources_offer, a unit without gpu")
    func tolerant() throws {
        let body = #"""
        {"bids":[{"bid":{"id":{"owner":"o","dseq":"7","gseq":"2","oseq":3,"provider":"p"},"state":"active",
          "price":{"denom":"uact","amount":"1.5"},"resources_offer":null}},
         {"bid":{"id":{"owner":"o","dseq":"8","gseq":1,"oseq":1,"provider":"p","bseq":0},"state":"active",
          "price":{"denom":"uact","amount":"1"},"resources_offer":[{"resources":{"id":1,"cpu":{"units":{"val":"100"}}},"count":1}]}}],
         "pagination":null}
        """#
        let page = try JSONDecoder().decode(BidsPage.self, from: Data(body.utf8))
        #expect(page.items[0].id == BidID(owner: "o", dseq: "7", gseq: 2, oseq: 3, provider: "p", bseq: 0))
        #expect(page.items[0].offer == nil)
        #expect(page.items[1].rentedGPUs == RentedGPUs.none)
    }

    @Test("a negative GPU count is a decoding error")
    func negative() {
        let body = #"{"bids":[{"bid":{"id":{"owner":"o","dseq":"7","gseq":1,"oseq":1,"provider":"p","bseq":0},"state":"active","price":{"denom":"uact","amount":"1"},"resources_offer":[{"resources":{"gpu":{"units":{"val":"-1"},"attributes":[]}},"count":1}]}}]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BidsPage.self, from: Data(body.utf8)) }
    }
}
