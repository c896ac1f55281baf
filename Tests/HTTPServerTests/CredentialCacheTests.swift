import Foundation
import Synchronization
import Testing
@testable import HTTPServer

/// A password check that counts its calls and answers as bcrypt would, so tests see how many bcrypt runs the
/// cache saved.
final class CountingCheck: Sendable {
    private let calls = Atomic<Int>(0)
    var count: Int { calls.load(ordering: .relaxed) }

    var check: @Sendable (String, String) -> Bool {
        { [self] password, hash in
            calls.add(1, ordering: .relaxed)
            return BcryptHash.verify(password: password, hash: hash)
        }
    }
}

@Suite("Credential cache")
struct CredentialCacheTests {
    private static let config = try! WebConfig.parse("""
        basic_auth_users:
          alice: \(TestHashes.alice2y)
          bob: \(TestHashes.secret2b)
        """, directory: "/")

    private static func basic(_ text: String) -> String { "Basic " + Array(text.utf8).base64 }

    /// What the request's credentials come to, running the check (and storing its verdict) when the cache has none:
    /// what a verification worker does, here on the test's thread.
    private func verdict(_ credentials: String, _ cache: CredentialCache, _ bcrypt: CountingCheck, now: UInt64 = 0) -> Bool {
        switch Self.config.decide(authorization: Self.basic(credentials), cache: cache, now: now) {
        case .accepted: true
        case .rejected: false
        case .unseen(let check): check.run(bcrypt.check, now: now)
        }
    }

    private func isCached(_ credentials: String, _ cache: CredentialCache, now: UInt64 = 0) -> Bool? {
        switch Self.config.decide(authorization: Self.basic(credentials), cache: cache, now: now) {
        case .accepted: true
        case .rejected: false
        case .unseen: nil
        }
    }

    @Test("a right password is checked once, then answered from the cache (hit); another password is a miss")
    func hitAndMiss() {
        let cache = CredentialCache()
        let bcrypt = CountingCheck()
        #expect(isCached("alice:secret", cache) == nil)
        #expect(verdict("alice:secret", cache, bcrypt))
        #expect(isCached("alice:secret", cache) == true)
        #expect(verdict("alice:secret", cache, bcrypt))
        #expect(bcrypt.count == 1)
        #expect(isCached("alice:Secret", cache) == nil)
        #expect(isCached("bob:secret", cache) == nil, "another user with the same password is another credential")
        #expect(cache.count == (successes: 1, failures: 0))
    }

    @Test("a wrong password is checked once, then refused from the cache")
    func failureCached() {
        let cache = CredentialCache()
        let bcrypt = CountingCheck()
        for _ in 0..<5 { #expect(!verdict("alice:wrong", cache, bcrypt)) }
        #expect(bcrypt.count == 1)
        #expect(isCached("alice:wrong", cache) == false)
        #expect(verdict("alice:secret", cache, bcrypt))
        #expect(bcrypt.count == 2)
        #expect(cache.count == (successes: 1, failures: 1))
    }

    @Test("an unknown user costs one bcrypt (against a known user's hash) and is then refused from the cache")
    func unknownUser() {
        let cache = CredentialCache()
        let bcrypt = CountingCheck()
        guard case .unseen(let check) = Self.config.decide(authorization: Self.basic("mallory:secret"), cache: cache, now: 0) else {
            Issue.record("an unknown user must cost a bcrypt the first time")
            return
        }
        #expect(check.hash == TestHashes.alice2y)
        // bcrypt says the password matches alice's hash; the user is still unknown.
        #expect(!check.run(bcrypt.check, now: 0))
        #expect(bcrypt.count == 1)
        #expect(isCached("mallory:secret", cache) == false)
    }

    @Test("no, malformed or non-Basic credentials are refused without bcrypt")
    func malformed() {
        let cache = CredentialCache()
        for header in [nil, "Bearer x", "Basic !!", Self.basic("alicesecret")] {
            guard case .rejected = Self.config.decide(authorization: header, cache: cache, now: 0) else {
                Issue.record("\(header ?? "nil") was not refused at once")
                continue
            }
        }
        #expect(cache.count == (successes: 0, failures: 0))
    }

    @Test("bounded in size: the oldest entry goes first, and failures never push out successes")
    func boundedInSize() {
        let cache = CredentialCache(limits: .init(successes: 1, failures: 2, successMaxAge: 60, failureMaxAge: 60))
        let bcrypt = CountingCheck()
        #expect(verdict("alice:secret", cache, bcrypt))
        for attempt in 0..<10 { #expect(!verdict("alice:wrong\(attempt)", cache, bcrypt)) }
        #expect(cache.count == (successes: 1, failures: 2))
        #expect(isCached("alice:secret", cache) == true)
        #expect(isCached("alice:wrong9", cache) == false)
        #expect(isCached("alice:wrong8", cache) == false)
        #expect(isCached("alice:wrong7", cache) == nil)
        #expect(isCached("alice:wrong0", cache) == nil)
        // A second success replaces the first.
        #expect(verdict("bob:secret", cache, bcrypt))
        #expect(isCached("alice:secret", cache) == nil)
        #expect(isCached("bob:secret", cache) == true)
    }

    @Test("bounded in age: a verdict is trusted for its max age after its bcrypt, then checked again")
    func boundedInAge() {
        let second: UInt64 = 1_000_000_000
        let cache = CredentialCache(limits: .init(successes: 4, failures: 4, successMaxAge: 60, failureMaxAge: 10))
        let bcrypt = CountingCheck()
        let start = 1_000 * second
        #expect(verdict("alice:secret", cache, bcrypt, now: start))
        #expect(!verdict("alice:wrong", cache, bcrypt, now: start))
        #expect(isCached("alice:secret", cache, now: start + 60 * second - 1) == true)
        #expect(isCached("alice:wrong", cache, now: start + 10 * second - 1) == false)
        #expect(isCached("alice:wrong", cache, now: start + 10 * second) == nil)
        #expect(isCached("alice:secret", cache, now: start + 60 * second) == nil)
        #expect(cache.count == (successes: 0, failures: 0), "expired entries are dropped when found")
        #expect(verdict("alice:secret", cache, bcrypt, now: start + 61 * second))
        #expect(bcrypt.count == 3)
    }

    @Test("clear() forgets every verdict, and a check that was running when it came stores nothing")
    func clearForgets() {
        let cache = CredentialCache()
        let bcrypt = CountingCheck()
        #expect(verdict("alice:secret", cache, bcrypt))
        #expect(!verdict("alice:wrong", cache, bcrypt))
        guard case .unseen(let running) = Self.config.decide(authorization: Self.basic("bob:secret"), cache: cache, now: 0) else {
            Issue.record("bob:secret was not new to the cache")
            return
        }
        cache.clear()
        #expect(running.run(bcrypt.check, now: 0))
        #expect(cache.count == (successes: 0, failures: 0))
        #expect(isCached("alice:secret", cache) == nil)
        #expect(isCached("alice:wrong", cache) == nil)
        #expect(isCached("bob:secret", cache) == nil)
    }

    @Test("a reloaded web config file clears the cache")
    func reloadClears() throws {
        let directory = NSTemporaryDirectory() + "credential-cache-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/web.yml"
        try "basic_auth_users:\n  alice: \(TestHashes.alice2y)\n".write(toFile: path, atomically: false, encoding: .utf8)
        let file = try WebConfigFile(path: path)
        let reloads = Atomic<Int>(0)
        file.setEventHandler { event in
            if case .reloaded = event { reloads.add(1, ordering: .relaxed) }
        }
        let bcrypt = CountingCheck()
        func verdict(_ credentials: String) -> Bool {
            switch file.current().config.decide(authorization: Self.basic(credentials), cache: file.credentials, now: 0) {
            case .accepted: true
            case .rejected: false
            case .unseen(let check): check.run(bcrypt.check, now: 0)
            }
        }
        #expect(verdict("alice:secret"))
        #expect(!verdict("alice:wrong"))
        #expect(file.credentials.count == (successes: 1, failures: 1))

        // Same user and hash, another file content: the verdicts still go.
        try "basic_auth_users:\n  alice: '\(TestHashes.alice2y)'\n".write(toFile: path, atomically: false, encoding: .utf8)
        // The file is looked at once a second: wait for the reload it brings (generously, on a loaded machine).
        #expect(eventually(within: 60) { _ = file.current(); return reloads.load(ordering: .relaxed) == 1 })
        #expect(file.credentials.count == (successes: 0, failures: 0))
        #expect(verdict("alice:secret"))
        #expect(bcrypt.count == 3)
    }
}
