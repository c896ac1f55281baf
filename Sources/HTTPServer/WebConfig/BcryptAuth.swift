#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import Synchronization
import CCrypt
import COpenSSL

/// bcrypt hashes as htpasswd, Python's bcrypt and Go's x/crypto write them, checked by the system's libcrypt.
public enum BcryptHash {
    private static let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `$2a$`, `$2b$` or `$2y$`, a two-digit cost from 04 to 31, `$`, then 53 characters of bcrypt's base64
    /// (22 of salt, 31 of hash).
    public static func isWellFormed(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
              [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]), bytes[3] == UInt8(ascii: "$"),
              let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost),
              bytes[6] == UInt8(ascii: "$") else { return false }
        return bytes[7...].allSatisfy { alphabet.contains($0) }
    }

    /// Whether `password` hashes to `hash`. Costs what the hash's cost says (about 50 ms at cost 10).
    public static func verify(password: String, hash: String) -> Bool {
        // A NUL would end the C string early: bcrypt would check a shorter password than the one sent.
        guard !password.utf8.contains(0) else { return false }
        var output = [CChar](repeating: 0, count: 128)
        guard ccrypt_hash(password, hash, &output, output.count) == 1 else { return false }
        let computed = output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return ConstantTime.equals(computed, Array(hash.utf8))
    }
}

enum ConstantTime {
    /// Compares without stopping at the first difference, so the time taken says nothing about where it is.
    static func equals<A: Collection<UInt8>, B: Collection<UInt8>>(_ given: A, _ expected: B) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        var givenIndex = given.startIndex
        for byte in expected {
            let other: UInt8
            if givenIndex != given.endIndex {
                other = given[givenIndex]
                givenIndex = given.index(after: givenIndex)
            } else {
                other = 0
            }
            difference |= byte ^ other
        }
        return difference == 0
    }
}

/// Credentials that passed bcrypt recently, so that a scrape every 15 s does not pay ~50 ms of bcrypt each
/// time (exporter-toolkit caches the same way). Keys are SHA-256 digests of user, password and the stored
/// hash: no password is kept, and a changed hash in the file no longer matches. Bounded: the oldest entry
/// goes first.
public final class VerifiedCredentials: Sendable {
    public static let defaultCapacity = 64
    private let capacity: Int
    private let digests = Mutex<[[UInt8]]>([])
    /// bcrypt runs so far: what the cache saves (for tests).
    private let bcryptRuns = Atomic<Int>(0)

    public init(capacity: Int = VerifiedCredentials.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    public var bcryptCount: Int { bcryptRuns.load(ordering: .relaxed) }

    /// Whether `password` is the one `hash` was made from, from the cache or by bcrypt.
    func verify(user: String, password: String, hash: String) -> Bool {
        let digest = Self.digest(user: user, password: password, hash: hash)
        let cached = digests.withLock { entries in
            // Every entry is compared in full: the time does not depend on which one matches.
            entries.reduce(false) { found, entry in ConstantTime.equals(entry, digest) || found }
        }
        if cached { return true }
        bcryptRuns.add(1, ordering: .relaxed)
        guard BcryptHash.verify(password: password, hash: hash) else { return false }
        digests.withLock { entries in
            if entries.count >= capacity { entries.removeFirst() }
            entries.append(digest)
        }
        return true
    }

    static func digest(user: String, password: String, hash: String) -> [UInt8] {
        var input = Array(user.utf8)
        input.append(0)
        input.append(contentsOf: password.utf8)
        input.append(0)
        input.append(contentsOf: hash.utf8)
        var output = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = SHA256(input, input.count, &output)
        return output
    }
}

/// The `Authorization: Basic ...` header: decoded user and password.
enum BasicAuthorization {
    static func decode(_ header: String?) -> (user: String, password: String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, ASCII.equalsIgnoringCase(String(parts[0]), "basic"),
              let decoded = Data(base64Encoded: String(parts[1].drop { $0 == " " || $0 == "\t" }.reversed()
                                                       .drop { $0 == " " || $0 == "\t" }.reversed())) else { return nil }
        let bytes = Array(decoded)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return (String(decoding: bytes[..<colon], as: UTF8.self), String(decoding: bytes[(colon + 1)...], as: UTF8.self))
    }
}

extension WebConfig {
    /// Whether the request's credentials belong to one of `users`. An unknown user still costs a bcrypt (against
    /// another user's hash), so the answer's timing does not tell which usernames exist.
    func accepts(authorization: String?, cache: VerifiedCredentials) -> Bool {
        guard let (user, password) = BasicAuthorization.decode(authorization), let anyUser = users.first else { return false }
        guard let known = users.first(where: { $0.name == user }) else {
            _ = cache.verify(user: "", password: password, hash: anyUser.hash)
            return false
        }
        return cache.verify(user: known.name, password: password, hash: known.hash)
    }
}
