import Synchronization
import COpenSSL

/// SHA-256 of a user, a password and the stored hash it was checked against: what the credential cache keeps
/// instead of the password. A changed hash in the file gives another digest, so an old verdict cannot apply to it.
struct CredentialDigest: Hashable, Sendable {
    private let word0, word1, word2, word3: UInt64

    init(user: String, password: String, hash: String) {
        // Each field behind its length: no choice of user and password can produce another pair's input.
        var input: [UInt8] = []
        input.reserveCapacity(user.utf8.count + password.utf8.count + hash.utf8.count + 24)
        for field in [user, password, hash] {
            withUnsafeBytes(of: UInt64(field.utf8.count).littleEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: field.utf8)
        }
        var output = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = SHA256(input, input.count, &output)
        func word(_ index: Int) -> UInt64 {
            output[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
        (word0, word1, word2, word3) = (word(0), word(1), word(2), word(3))
    }

    /// Every word compared whatever the first difference: the time says nothing about how close two digests are.
    static func == (lhs: CredentialDigest, rhs: CredentialDigest) -> Bool {
        ((lhs.word0 ^ rhs.word0) | (lhs.word1 ^ rhs.word1) | (lhs.word2 ^ rhs.word2) | (lhs.word3 ^ rhs.word3)) == 0
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(word0)  // already uniformly distributed
    }
}

/// Verdicts of bcrypt on credentials seen recently, both ways, so that a scrape every 15 s does not pay for bcrypt
/// each time and a client repeating a wrong password costs one bcrypt, not one per request (exporter-toolkit keeps
/// the same kind of cache). Keys are `CredentialDigest`s: no password is kept. Successes and failures are held
/// apart, each bounded in size (the oldest goes first) and in age (counted from the bcrypt that produced it), so a
/// flood of new wrong passwords can push out only other failures, never the credentials that work.
/// `clear()` (a reloaded web config) forgets everything, including verdicts of checks still running.
public final class CredentialCache: Sendable {
    public struct Limits: Sendable, Equatable {
        public var successes: Int
        public var failures: Int
        /// Seconds a verdict is trusted after its bcrypt.
        public var successMaxAge: Double
        public var failureMaxAge: Double

        /// A handful of scrapers each with one password; failures sized for many distinct wrong ones. An hour
        /// for a right password: its scraper then pays one bcrypt an hour.
        public static let standard = Limits(successes: 64, failures: 1024, successMaxAge: 3600, failureMaxAge: 600)

        public init(successes: Int, failures: Int, successMaxAge: Double, failureMaxAge: Double) {
            self.successes = successes
            self.failures = failures
            self.successMaxAge = successMaxAge
            self.failureMaxAge = failureMaxAge
        }
    }

    private struct State {
        var successes: Table
        var failures: Table
        /// Moves on every `clear()`: a verdict computed for an older generation is not stored.
        var generation: UInt64 = 0
    }

    private let limits: Limits
    private let state: Mutex<State>

    public init(limits: Limits = .standard) {
        self.limits = limits
        state = Mutex(State(successes: Table(capacity: limits.successes, maxAge: Self.nanoseconds(limits.successMaxAge)),
                            failures: Table(capacity: limits.failures, maxAge: Self.nanoseconds(limits.failureMaxAge))))
    }

    /// True or false when a verdict is cached and young enough; nil when bcrypt has to decide. `generation` is
    /// what `store` wants back with the verdict.
    func verdict(for digest: CredentialDigest, now: UInt64) -> (verdict: Bool?, generation: UInt64) {
        state.withLock { state in
            if state.successes.contains(digest, now: now) { return (true, state.generation) }
            if state.failures.contains(digest, now: now) { return (false, state.generation) }
            return (nil, state.generation)
        }
    }

    /// Remembers a verdict, unless the cache was cleared since `generation` (the web config changed meanwhile).
    func store(_ digest: CredentialDigest, accepted: Bool, generation: UInt64, now: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if accepted {
                state.failures.remove(digest)
                state.successes.insert(digest, now: now)
            } else {
                state.successes.remove(digest)
                state.failures.insert(digest, now: now)
            }
        }
    }

    /// Forgets every verdict (the web config was reloaded: users, hashes or their meaning may have changed).
    public func clear() {
        state.withLock { state in
            state.successes.removeAll()
            state.failures.removeAll()
            state.generation &+= 1
        }
    }

    /// Entries held (expired ones included until they are looked up or pushed out).
    public var count: (successes: Int, failures: Int) {
        state.withLock { ($0.successes.count, $0.failures.count) }
    }

    private static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64(max(0, min(seconds, 1e9)) * 1_000_000_000)
    }

    /// A bounded set of digests with their insertion time: a ring of slots in insertion order (the slot to fill
    /// next holds the oldest entry, which goes when the ring is full) and an index from digest to slot.
    private struct Table {
        private var slots: [(digest: CredentialDigest, storedAt: UInt64)?]
        private var index: [CredentialDigest: Int] = [:]
        private var next = 0
        private let maxAge: UInt64

        init(capacity: Int, maxAge: UInt64) {
            slots = Array(repeating: nil, count: max(1, capacity))
            self.maxAge = maxAge
        }

        var count: Int { index.count }

        mutating func contains(_ digest: CredentialDigest, now: UInt64) -> Bool {
            guard let slot = index[digest], let entry = slots[slot] else { return false }
            if now &- entry.storedAt >= maxAge {
                remove(digest)
                return false
            }
            return true
        }

        mutating func insert(_ digest: CredentialDigest, now: UInt64) {
            remove(digest)  // stored again: it moves to the young end
            if let oldest = slots[next] { index[oldest.digest] = nil }
            slots[next] = (digest, now)
            index[digest] = next
            next = (next + 1) % slots.count
        }

        mutating func remove(_ digest: CredentialDigest) {
            guard let slot = index.removeValue(forKey: digest) else { return }
            slots[slot] = nil
        }

        mutating func removeAll() {
            index.removeAll()
            for slot in slots.indices { slots[slot] = nil }
            next = 0
        }
    }
}
