import Foundation
import Synchronization
import Testing
@testable import AkashExporter

/// The guard on values: text in, a refusal or the address to connect to out, with a resolver the test controls. No
/// DNS, no socket: a refusal is proven to contact nothing by the resolver's record and the absence of an address.
@Suite("Gateway guard")
struct GatewayGuardTests {
    /// Answers every name from a table and records what it was asked.
    final class TableResolver: Sendable {
        let table: [String: [String]]
        private let asked = Mutex<[String]>([])

        init(_ table: [String: [String]]) {
            self.table = table
        }

        var questions: [String] { asked.withLock { $0 } }

        var resolve: GatewayGuard.Resolve {
            { host in
                self.asked.withLock { $0.append(host) }
                return (self.table[host] ?? []).compactMap(IPAddress.init)
            }
        }
    }

    static let refusedLiterals: [(String, String)] = [
        ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("10.0.0.1", "private"), ("172.16.0.1", "private"),
        ("172.31.255.255", "private"), ("192.168.1.1", "private"), ("100.64.0.1", "CGNAT"), ("100.127.255.254", "CGNAT"),
        ("169.254.169.254", "link-local"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"), ("255.255.255.255", "broadcast"), ("::1", "loopback"), ("::", "unspecified"),
        ("fe80::1", "link-local"), ("fc00::1", "unique-local"), ("fd12:3456::1", "unique-local"), ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "IPv4-embedded loopback"), ("::ffff:10.1.2.3", "IPv4-embedded private"),
        ("::ffff:169.254.169.254", "IPv4-embedded link-local"), ("::ffff:100.64.1.1", "IPv4-embedded shared CGNAT"),
        ("64:ff9b::a00:1", "IPv4-embedded private"), ("::127.0.0.1", "IPv4-compatible loopback"),
    ]

    @Test("every internal range is refused as a literal host, and nothing is resolved", arguments: refusedLiterals)
    func refusedLiteral(_ address: String, _ range: String) async throws {
        let resolver = TableResolver([:])
        let host = address.contains(":") ? "[\(address)]" : address
        let result = await GatewayGuard.check("https://\(host):8443", allowPrivate: false, resolve: resolver.resolve)
        guard case .failure(.internalAddress(_, let refused, let name)) = result else {
            Issue.record("\(address) was not refused: \(result)")
            return
        }
        #expect(refused == IPAddress(address))
        #expect(name.contains(range), "\(address): \(name)")
        #expect(resolver.questions.isEmpty)
    }

    @Test("the addresses just outside the internal ranges are probed")
    func publicNeighbours() async {
        for address in ["11.0.0.1", "172.32.0.1", "172.15.255.255", "192.169.0.1", "100.128.0.1", "100.63.255.255",
                        "169.253.255.255", "1.1.1.1", "223.255.255.255", "2606:4700::1111", "::ffff:1.1.1.1", "fbff::1"] {
            let host = address.contains(":") ? "[\(address)]" : address
            let result = await GatewayGuard.check("https://\(host):8443", allowPrivate: false, resolve: { _ in [] })
            #expect(result == .success(.init(statusURL: URL(string: "https://\(host):8443/status")!, address: IPAddress(address)!)),
                    "\(address)")
        }
    }

    @Test("a name resolving to a refused address is refused; one internal answer among public ones is enough")
    func nameResolvingInside() async {
        let resolver = TableResolver(["metadata.example": ["169.254.169.254"], "provider.example": ["10.0.0.1"],
                                      "mixed.example": ["203.0.113.7", "10.0.0.1"], "v6.example": ["fd00::5"]])
        for (name, address) in [("provider.example", "10.0.0.1"), ("metadata.example", "169.254.169.254"),
                                ("mixed.example", "10.0.0.1"), ("v6.example", "fd00::5")] {
            let result = await GatewayGuard.check("https://\(name):8443", allowPrivate: false, resolve: resolver.resolve)
            guard case .failure(.internalAddress(let host, let refused, _)) = result else {
                Issue.record("\(name): \(result)")
                continue
            }
            #expect(host == name)
            #expect(refused == IPAddress(address))
        }
        #expect(resolver.questions == ["provider.example", "metadata.example", "mixed.example", "v6.example"])
    }

    @Test("the address checked is the one returned for the connection: the name is resolved once")
    func pinsTheCheckedAddress() async {
        let resolver = TableResolver(["provider.example": ["203.0.113.7", "203.0.113.8"]])
        let result = await GatewayGuard.check("https://provider.example:8443", allowPrivate: false, resolve: resolver.resolve)
        #expect(result == .success(.init(statusURL: URL(string: "https://provider.example:8443/status")!,
                                         address: IPAddress("203.0.113.7")!)))
        #expect(resolver.questions == ["provider.example"])
    }

    @Test("--akash.probe-allow-private lifts the address rule, not the others")
    func allowPrivate() async {
        let resolver = TableResolver(["provider.example": ["10.0.0.1"]])
        #expect(await GatewayGuard.check("https://127.0.0.1:8443", allowPrivate: true, resolve: resolver.resolve)
                == .success(.init(statusURL: URL(string: "https://127.0.0.1:8443/status")!, address: IPAddress("127.0.0.1")!)))
        #expect(await GatewayGuard.check("https://provider.example", allowPrivate: true, resolve: resolver.resolve)
                == .success(.init(statusURL: URL(string: "https://provider.example/status")!, address: IPAddress("10.0.0.1")!)))
        #expect(await GatewayGuard.check("http://127.0.0.1:8443", allowPrivate: true, resolve: resolver.resolve) == .failure(.scheme("http")))
    }

    @Test("unusable host_uris are refused before any resolution")
    func malformed() async {
        let resolver = TableResolver([:])
        let cases: [(String, GatewayGuard.Refusal)] = [
            ("", .malformed("empty")),
            ("http://provider.example:8443", .scheme("http")),
            ("file:///etc/passwd", .scheme("file")),
            ("gopher://provider.example", .scheme("gopher")),
            ("provider.example:8443", .scheme("provider.example")),
            ("https://user:secret@provider.example:8443", .malformed("carries user info")),
            ("https://provider.example:8443/admin", .malformed("carries a path")),
            ("https://provider.example:8443?x=1", .malformed("carries a query or fragment")),
            ("https://provider example:8443", .malformed("contains spaces, control or non-ASCII characters")),
            ("https://[fe80::1%25eth0]:8443", .malformed("an IPv6 zone is not a public address")),
            ("https://", .malformed("no host")),
            ("https://" + String(repeating: "a", count: 600), .malformed("longer than 512 bytes")),
        ]
        for (text, refusal) in cases {
            #expect(await GatewayGuard.check(text, allowPrivate: false, resolve: resolver.resolve) == .failure(refusal), "\(text)")
        }
        #expect(await GatewayGuard.check("https://nowhere.example", allowPrivate: false, resolve: resolver.resolve)
                == .failure(.unresolvable(host: "nowhere.example")))
        #expect(resolver.questions == ["nowhere.example"])
    }
}
