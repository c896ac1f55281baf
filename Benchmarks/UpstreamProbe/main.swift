// Per-request memory of the poll path, each piece alone: the upstream client against a loopback
// server, and JSON decoding of a recorded body. Prints anonymous memory (/proc/self/smaps_rollup) every
// `--every` iterations, so linear growth shows as a slope.
//
//   upstream-probe fetch URL [COUNT] [EVERY]     the real upstream client, GET URL COUNT times
//   upstream-probe decode FILE [COUNT] [EVERY]   JSONDecoder on FILE COUNT times, no network
//   upstream-probe peak json|scan FILE           the peak resident memory of decoding FILE, the Console's providers
//                                                list, as the exporter does (two fields per provider) with
//                                                JSONDecoder or ScanningJSONDecoder, beyond the body itself
import Foundation
import ExporterKit

/// Any JSON value, so decoding walks the whole document like a source's models do.
enum AnyJSON: Decodable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let value = try? single.decode(Bool.self) { self = .bool(value) }
        else if let value = try? single.decode(Double.self) { self = .number(value) }
        else if let value = try? single.decode(String.self) { self = .string(value) }
        else if let value = try? single.decode([AnyJSON].self) { self = .array(value) }
        else { self = .object(try single.decode([String: AnyJSON].self)) }
    }
}

func anonymousKiB() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix("Anonymous:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

/// What the exporter reads of each provider in the Console's list.
struct ProviderFlags: Decodable {
    let isOnline: Bool
    let isAudited: Bool
}

func statusKiB(_ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix(field) {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "peak", ["json", "scan"].contains(arguments[2]) {
    let body = try Data(contentsOf: URL(fileURLWithPath: arguments[3]))
    // The high-water mark can only be reset by writing to clear_refs; then it starts from the current resident size.
    try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let before = statusKiB("VmRSS:")
    let providers = arguments[2] == "json" ? try JSONDecoder().decode([ProviderFlags].self, from: body)
                                           : try ScanningJSONDecoder().decode([ProviderFlags].self, from: body)
    print("\(arguments[2]): \(providers.count) providers from \(body.count / 1024) KiB, peak \(statusKiB("VmHWM:") - before) KiB above the resident size before decoding")
    exit(0)
}
guard arguments.count >= 3, ["fetch", "decode"].contains(arguments[1]) else {
    print("usage: upstream-probe fetch URL|decode FILE [COUNT] [EVERY]|peak json|scan FILE")
    exit(2)
}
let count = arguments.count > 3 ? Int(arguments[3]) ?? 5000 : 5000
let every = arguments.count > 4 ? Int(arguments[4]) ?? 1000 : 1000
let start = anonymousKiB()
print("iteration 0 anonymous_kib \(start)")
if arguments[1] == "fetch" {
    let client = CurlUpstream()
    let request = UpstreamRequest(url: URL(string: arguments[2])!, timeout: 5)
    for index in 1...count {
        do {
            let response = try await client.fetch(request)
            if index == 1 { print("status \(response.status) body \(response.body.count) bytes") }
        } catch {
            print("failed: \(error)")
        }
        if index % every == 0 { print("iteration \(index) anonymous_kib \(anonymousKiB())") }
    }
} else {
    let body = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
    for index in 1...count {
        _ = try JSONDecoder().decode(AnyJSON.self, from: body)
        if index % every == 0 { print("iteration \(index) anonymous_kib \(anonymousKiB())") }
    }
}
let end = anonymousKiB()
print("growth_kib \(end - start) over \(count) iterations (\(Double((end - start) * 1024) / Double(count)) bytes each)")
