#if canImport(Glibc)
import Glibc
#endif
import CEpoll

/// An IPv4 or IPv6 socket address built from numeric text (no name lookups).
enum SocketAddress {
    case v4(sockaddr_in)
    case v6(sockaddr_in6)

    static func ipv4(_ text: String, port: Int) -> SocketAddress? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, text, &address.sin_addr) == 1 else { return nil }
        return .v4(address)
    }

    static func ipv6(_ text: String, port: Int) -> SocketAddress? {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET6, text, &address.sin6_addr) == 1 else { return nil }
        return .v6(address)
    }

    var family: Int32 {
        switch self {
        case .v4: AF_INET
        case .v6: AF_INET6
        }
    }

    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        switch self {
        case .v4(var address):
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(var address):
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }
}

/// The socket the server accepts on: non-blocking, close-on-exec, `SO_REUSEADDR` (a restart does not wait for
/// the old connections' TIME_WAIT).
enum ListeningSocket {
    static let backlog: Int32 = 1024

    private static func openListening(_ address: ListenAddress) throws(ListenFailure) -> (fd: Int32, port: Int) {
        switch address.host {
        case .ipv4(let text):
            return try open(SocketAddress.ipv4(text, port: address.port)!, dualStack: false, naming: address)
        case .ipv6(let text):
            return try open(SocketAddress.ipv6(text, port: address.port)!, dualStack: false, naming: address)
        case .any:
            do {
                return try open(SocketAddress.ipv6("::", port: address.port)!, dualStack: true, naming: address)
            } catch let error where error.ipv6Unavailable {
                return try open(SocketAddress.ipv4("0.0.0.0", port: address.port)!, dualStack: false, naming: address)
            }
        }
    }

    private static func open(_ socketAddress: SocketAddress, dualStack: Bool, naming address: ListenAddress)
        throws(ListenFailure) -> (fd: Int32, port: Int) {
        let fd = cepoll_socket(socketAddress.family)
        guard fd >= 0 else { throw ListenFailure(address: address, errno: errno) }
        func fail() -> ListenFailure {
            let failure = ListenFailure(address: address, errno: errno)
            close(fd)
            return failure
        }
        guard cepoll_set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1) == 0 else { throw fail() }
        if socketAddress.family == AF_INET6 {
            guard cepoll_set_int_option(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, dualStack ? 0 : 1) == 0 else { throw fail() }
        }
        guard socketAddress.withSockaddr({ bind(fd, $0, $1) }) == 0 else { throw fail() }
        guard listen(fd, Self.backlog) == 0 else { throw fail() }
        return (fd, boundPort(fd))
    }

    private static func boundPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}

/// Why a listening socket could not be opened; becomes `HTTPServerError.listenFailed`.
struct ListenFailure: Error {
    let address: ListenAddress
    let errno: Int32

    /// The host has no IPv6 (kernel built or booted without it): listen on IPv4 instead.
    var ipv6Unavailable: Bool { errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL || errno == EPROTONOSUPPORT }

    var serverError: HTTPServerError {
        .listenFailed(address: address.description, reason: String(cString: strerror(errno)))
    }
}

extension ListeningSocket {
    static func open(_ address: ListenAddress) throws(HTTPServerError) -> (fd: Int32, port: Int) {
        do {
            return try openListening(address)
        } catch {
            throw error.serverError
        }
    }
}
