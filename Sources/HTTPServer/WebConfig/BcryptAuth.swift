#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import CCrypt

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

/// Credentials the cache has no verdict for: what a verification worker needs to decide, and where to keep the
/// verdict. Holds the password only until the check has run.
struct CredentialCheck: Sendable {
    let digest: CredentialDigest
    let password: String
    /// The user's hash, or for an unknown user another user's (the check then fails whatever bcrypt says).
    let hash: String
    let knownUser: Bool
    let cache: CredentialCache
    let generation: UInt64

    /// Runs bcrypt (`passwordMatches`, replaced in tests), stores the verdict and returns it.
    func run(_ passwordMatches: (_ password: String, _ hash: String) -> Bool, now: UInt64) -> Bool {
        let matches = passwordMatches(password, hash)
        let accepted = knownUser && matches
        cache.store(digest, accepted: accepted, generation: generation, now: now)
        return accepted
    }
}

/// What the credentials of a request come to without running bcrypt.
enum CredentialDecision: Sendable {
    case accepted
    case rejected
    /// Not in the cache: a worker has to run bcrypt.
    case unseen(CredentialCheck)
}

extension WebConfig {
    /// Whether the request's credentials belong to one of `users`, as far as the cache knows. An unknown user is
    /// checked against another user's hash, so the first answer takes as long as for a known user and timing does
    /// not tell which usernames exist; its verdict is then cached like any failure.
    func decide(authorization: String?, cache: CredentialCache, now: UInt64) -> CredentialDecision {
        guard let (user, password) = BasicAuthorization.decode(authorization), let anyUser = users.first else { return .rejected }
        let known = users.first { $0.name == user }
        let hash = (known ?? anyUser).hash
        let digest = CredentialDigest(user: user, password: password, hash: hash)
        let (verdict, generation) = cache.verdict(for: digest, now: now)
        if let verdict { return verdict ? .accepted : .rejected }
        return .unseen(CredentialCheck(digest: digest, password: password, hash: hash, knownUser: known != nil,
                                       cache: cache, generation: generation))
    }
}
