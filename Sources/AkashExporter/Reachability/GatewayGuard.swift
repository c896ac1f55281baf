import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// An IP address as a value: what a host name resolved to, or the literal a `host_uri` names.
enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])

    /// A dotted IPv4 or an IPv6 literal (no brackets, no zone); nil for anything else, including a name.
    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
    }

    var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xFF) }.joined(separator: ".")
        case .v6(var bytes):
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = bytes.withUnsafeMutableBytes { inet_ntop(AF_INET6, $0.baseAddress, &text, socklen_t(text.count)) }
            return String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
        }
    }

    /// The range of internal or non-unicast addresses this one is in, by name; nil for a public unicast address.
    /// IPv4 embedded in IPv6 (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) is judged
    /// as the IPv4 address it carries, so `::ffff:127.0.0.1` is loopback.
    var internalRange: String? {
        switch self {
        case .v4(let value):
            func within(_ network: UInt32, _ bits: UInt32) -> Bool {
                bits == 0 || value >> (32 - bits) == network >> (32 - bits)
            }
            if within(0x0000_0000, 8) { return "unspecified (0.0.0.0/8)" }
            if within(0x7F00_0000, 8) { return "loopback (127.0.0.0/8)" }
            if within(0x0A00_0000, 8) { return "private (10.0.0.0/8)" }
            if within(0xAC10_0000, 12) { return "private (172.16.0.0/12)" }
            if within(0xC0A8_0000, 16) { return "private (192.168.0.0/16)" }
            if within(0x6440_0000, 10) { return "shared CGNAT (100.64.0.0/10)" }
            if within(0xA9FE_0000, 16) { return "link-local (169.254.0.0/16)" }
            if within(0xE000_0000, 4) { return "multicast (224.0.0.0/4)" }
            if within(0xF000_0000, 4) { return "reserved or broadcast (240.0.0.0/4)" }
            return nil
        case .v6(let bytes):
            let prefix96 = bytes.prefix(12)
            let embedded = IPAddress.v4(bytes.suffix(4).reduce(0) { $0 << 8 | UInt32($1) })
            if prefix96.elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
                || prefix96.elementsEqual([0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) {
                return embedded.internalRange.map { "IPv4-embedded \($0)" }
            }
            if bytes.allSatisfy({ $0 == 0 }) { return "unspecified (::)" }
            if bytes.dropLast().allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return "loopback (::1)" }
            if prefix96.allSatisfy({ $0 == 0 }) {
                return embedded.internalRange.map { "IPv4-compatible \($0)" } ?? "IPv4-compatible (::/96)"
            }
            if bytes[0] == 0xFF { return "multicast (ff00::/8)" }
            if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return "link-local (fe80::/10)" }
            if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return "site-local (fec0::/10)" }
            if bytes[0] & 0xFE == 0xFC { return "unique-local (fc00::/7)" }
            return nil
        }
    }
}

/// The guard between a `host_uri` from the chain and a connection. Anyone can register a provider whose `host_uri`
/// names `localhost`, the cloud metadata address or a name resolving to the exporter's own network; probing it
/// would make the exporter a scanner of its own network. A pure function of the text, the resolver's answer and
/// one flag: the check and the address it returns are what the connection then uses, with no second resolution.
enum GatewayGuard {
    /// Where a checked gateway is reached: the `/status` URL (host name kept for the `Host` header and TLS name)
    /// and the address it was checked at.
    struct Checked: Sendable, Equatable {
        var statusURL: URL
        var address: IPAddress
    }

    /// Why a `host_uri` is never contacted: the text of `akash_provider_probe_refused`'s log line.
    enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case scheme(String)
        case unresolvable(host: String)
        case internalAddress(host: String, address: IPAddress, range: String)

        var description: String {
            switch self {
            case .malformed(let why): "host_uri is not a usable URL: \(why)"
            case .scheme(let scheme): "host_uri scheme \(scheme.prefix(16)) is not https"
            case .unresolvable(let host): "host \(host.prefix(80)) resolves to no address"
            case .internalAddress(let host, let address, let range):
                "host \(host.prefix(80)) is \(address), \(range): not probed without --akash.probe-allow-private"
            }
        }
    }

    /// Resolves a host name to its addresses (empty: it does not resolve). Injected, so a test makes a name
    /// "resolve" anywhere without DNS.
    typealias Resolve = @Sendable (String) async -> [IPAddress]

    /// The longest `host_uri` considered; a registered string is anyone's to make long.
    static let maxLength = 512

    /// Checks `hostURI` as registered on chain: an `https` URL with a host (a name, an IPv4 or a bracketed IPv6
    /// literal) and at most a port, no user info; every address the host resolves to must be public unicast unless
    /// `allowPrivate`; a name resolving to several addresses is refused when any of them is internal (so no
    /// round-robin answer can slip one past), and the first address is the one connected to.
    static func check(_ hostURI: String, allowPrivate: Bool, resolve: Resolve) async -> Result<Checked, Refusal> {
        let statusURL: URL, host: String
        switch parse(hostURI) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let parsed): (statusURL, host) = parsed
        }
        let addresses: [IPAddress]
        if let literal = IPAddress(host) { addresses = [literal] } else { addresses = await resolve(host) }
        guard let first = addresses.first else { return .failure(.unresolvable(host: host)) }
        if !allowPrivate {
            for address in addresses {
                if let range = address.internalRange {
                    return .failure(.internalAddress(host: host, address: address, range: range))
                }
            }
        }
        return .success(Checked(statusURL: statusURL, address: first))
    }

    /// The `/status` URL of a `host_uri` and its host (brackets removed), or why it is unusable.
    static func parse(_ hostURI: String) -> Result<(URL, String), Refusal> {
        guard !hostURI.isEmpty else { return .failure(.malformed("empty")) }
        guard hostURI.utf8.count <= maxLength else { return .failure(.malformed("longer than \(maxLength) bytes")) }
        guard hostURI.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.malformed("contains spaces, control or non-ASCII characters"))
        }
        guard let components = URLComponents(string: hostURI), let scheme = components.scheme else {
            return .failure(.malformed("no scheme"))
        }
        guard scheme.lowercased() == "https" else { return .failure(.scheme(scheme)) }
        guard components.user == nil, components.password == nil else { return .failure(.malformed("carries user info")) }
        guard components.query == nil, components.fragment == nil else { return .failure(.malformed("carries a query or fragment")) }
        guard components.path.isEmpty || components.path == "/" else { return .failure(.malformed("carries a path")) }
        guard var host = components.host, !host.isEmpty else { return .failure(.malformed("no host")) }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.contains("%") { return .failure(.malformed("an IPv6 zone is not a public address")) }
        if let port = components.port, !(1...65535).contains(port) { return .failure(.malformed("port \(port) out of range")) }
        var status = URLComponents()
        status.scheme = "https"
        status.percentEncodedHost = components.percentEncodedHost
        status.port = components.port
        status.path = "/status"
        guard let url = status.url else { return .failure(.malformed("cannot form its /status URL")) }
        return .success((url, host))
    }

    /// The system resolver (getaddrinfo), off the cooperative pool: a slow DNS server blocks a dispatch thread, not
    /// a poll's task.
    static let systemResolver: Resolve = { host in
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: resolveNow(host))
            }
        }
    }

    private static func resolveNow(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    let v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(.v4(UInt32(bigEndian: v4.s_addr)))
                case AF_INET6:
                    var v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(.v6(withUnsafeBytes(of: &v6) { Array($0) }))
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        var seen: Set<IPAddress> = []
        return addresses.filter { seen.insert($0).inserted }
    }
}
