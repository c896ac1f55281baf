@testable import AkashExporter
import ExporterKit
import Exposition
import Foundation
import Testing
import TestSupport

@Suite("GPU: the cloud price list, its checks and its metrics")
struct GPUCloudPricesTests {
    static let market = try! JSONDecoder().decode(GPUPrices.Body.self, from: Fixtures.data("gpu/gpu-prices-gpu-check.json")).models

    @Test("the shipped snapshot: dated, ≥ 10 prices over ≥ 3 clouds, h100 and a100, no low-confidence row, sources kept")
    func snapshot() {
        let list = CloudPrices.snapshot
        #expect(list.asOf == "2026-11-30")
        #expect(list.asOfTimestamp == 1_795_996_800)
        #expect(list.prices.count == 44)
        #expect(Set(list.prices.map(\.cloud)) == ["aws", "gcp", "azure", "lambda", "runpod"])
        #expect(Set(list.prices.map(\.gpu.model)).isSuperset(of: ["h100", "a100"]))
        // The low-confidence rows: GCP a2-ultragpu-1g and a3-highgpu-8g, every CoreWeave row.
        #expect(!list.prices.contains { $0.cloud == "coreweave" || ["a2-ultragpu-1g", "a3-highgpu-8g"].contains($0.instanceType) })
        #expect(list.prices.allSatisfy { $0.source?.hasPrefix("skypilot-org/") == true || $0.source?.hasPrefix("coopslarhette/") == true })
        let p5 = list.prices.first { $0.instanceType == "p5.4xlarge" }
        #expect(p5?.usdPerGPUHour == 6.88)
        #expect(list.prices.first { $0.instanceType == "Standard_ND96isr_H100_v5" }?.usdPerGPUHour == 12.29)
    }

    @Test("a user's file: exactly its rows, per GPU-hour, and the median against each cloud's cheapest (golden)")
    func userFile() throws {
        let list = try CloudPricesConfig.load(path: Fixtures.url("gpu/cloud-prices-user.json").path)
        #expect(list.prices.count == 5)
        let exposition = try TextFormat.renderString(CloudPrices.families(list, market: Self.market))
        try Golden.compare(exposition, "gpu-cloud.prom")
        #expect(exposition.contains(#"akash_gpu_price_vs_cloud_ratio{vendor="nvidia",model="h100",ram="80Gi",interface="SXM5",cloud="lambda"} 0.625"#))
        #expect(exposition.contains(#"akash_gpu_price_vs_cloud_ratio{vendor="nvidia",model="a100",ram="80Gi",interface="PCIe",cloud="runpod"} 0.5"#))
        #expect(!exposition.contains(#"interface="PCIe",cloud="aws""#))
        #expect(exposition.contains("akash_cloud_gpu_prices_as_of_timestamp_seconds 1793491200\n"))
    }

    @Test("without fresh GPU medians the cloud prices stay and the ratios go")
    func noMarket() throws {
        let families = CloudPrices.families(CloudPrices.snapshot, market: nil)
        #expect(families.first { $0.name == "akash_cloud_gpu_price_usd_per_hour" }?.samples.count == 44)
        #expect(families.first { $0.name == "akash_gpu_price_vs_cloud_ratio" }?.isEmpty == true)
    }

    static let valid = #"{"cloud": "aws", "instance_type": "p5.48xlarge", "region": "us-east-1", "vendor": "nvidia", "model": "h100", "ram": "80Gi", "gpus": 8, "usd_per_hour": 55.04}"#

    static func entry(_ replacing: String, with replacement: String) -> String {
        #"{"as_of": "2026-11-01", "prices": [\#(valid), \#(valid.replacingOccurrences(of: replacing, with: replacement))]}"#
    }

    @Test("a bad file is one line naming the file, the entry and what is wrong", arguments: [
        ("{\"as_of\": \"2026-11-01\", \"prices\": [", "is not valid JSON"),
        (entry(#""gpus": 8"#, with: #""gpus": "8""#), #"prices[1] (aws p5.48xlarge us-east-1): "gpus" is the string "8", expected a number"#),
        (entry(#""region": "us-east-1", "#, with: ""), #"prices[1] (aws p5.48xlarge): "region" is missing"#),
        (entry(#""gpus": 8"#, with: #""gpus": 0"#), #"prices[1] (aws p5.48xlarge us-east-1): "gpus" is 0, expected a whole number from 1 to 1024"#),
        (entry(#""gpus": 8"#, with: #""gpus": 1.5"#), #""gpus" is 1.5, expected a whole number"#),
        (entry("55.04", with: "-55.04"), #"prices[1] (aws p5.48xlarge us-east-1): "usd_per_hour" is -55.04, expected a positive number"#),
        (entry("55.04", with: "\n1e400"), "is not valid JSON: 1e400 on line 2 is not a finite number"),
        (entry("55.04", with: "NaN"), "is not valid JSON: NaN on line 1 is not a finite number"),
        (entry(#""usd_per_hour""#, with: #""usd_per_hr""#), #"prices[1] (aws p5.48xlarge us-east-1): unknown field "usd_per_hr""#),
        (entry(#""model": "h100""#, with: #""model": null"#), #"prices[1] (aws p5.48xlarge us-east-1): "model" is null, expected a non-empty string"#),
        (entry("p5.48xlarge", with: "p5.48xlarge"), "prices[1] (aws p5.48xlarge us-east-1): repeats prices[0]"),
        (#"{"as_of": "2026-02-30", "prices": []}"#, #""as_of" is "2026-02-30", expected a date YYYY-MM-DD"#),
        (#"{"as_of": "30/11/2026", "prices": []}"#, #""as_of" is "30/11/2026", expected a date YYYY-MM-DD"#),
        (#"{"prices": []}"#, #"needs "as_of""#),
        (#"{"as_of": "2026-11-01"}"#, #"needs "prices""#),
        (#"[]"#, "is not a JSON object"),
    ])
    func badFile(_ body: String, _ expected: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cloud-prices-\(UUID()).json").path
        try Data(body.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ConfigError.self) { try CloudPricesConfig.load(path: path) }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("invalid --akash.cloud-prices-file file \"\(path)\": "), "\(message)")
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("a missing file or a directory")
    func unreadable() {
        #expect(throws: ConfigError("invalid --akash.cloud-prices-file file \"/nonexistent/prices.json\": it does not exist")) {
            try CloudPricesConfig.load(path: "/nonexistent/prices.json")
        }
        #expect(throws: ConfigError("invalid --akash.cloud-prices-file file \"/tmp\": it cannot be read")) {
            try CloudPricesConfig.load(path: "/tmp")
        }
    }

    @Test("dates: real calendar days only, at 00:00 UTC")
    func dates() {
        #expect(CloudPriceList.timestamp(ofDate: "1970-01-01") == 0)
        #expect(CloudPriceList.timestamp(ofDate: "2024-02-29") == 1_709_164_800)
        #expect(CloudPriceList.timestamp(ofDate: "2026-11-30") == 1_795_996_800)
        for bad in ["2023-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026-11-1", "2026-11-01T00:00:00Z", "", "+026-11-01"] {
            #expect(CloudPriceList.timestamp(ofDate: bad) == nil, "\(bad)")
        }
    }

    @Test("the exporter refuses a bad price file at start: exit 2, one line naming it, nothing polled")
    func exporterRefuses() throws {
        let fake = try AppFakes.allUpstreams()
        defer { fake.stop() }
        let result = try ExporterBinary.run(["--once", "--state.file=", "--akash.cloud-prices-file=/nonexistent/prices.json"]
                                            + AppFakes.upstreamFlags(fake), environment: ["CMC_API_KEY": AppFakes.apiKey])
        #expect(result.status == 2)
        #expect(result.stderr == "akash-cost-exporter: invalid --akash.cloud-prices-file file \"/nonexistent/prices.json\": it does not exist\n")
        #expect(result.stdout.isEmpty)
        #expect(fake.requests.isEmpty)
    }
}
