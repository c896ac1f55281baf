@testable import AkashExporter
import Testing

@Suite("Account: bech32 owner addresses")
struct AccountBech32Tests {
    @Test("addresses from the recorded chain samples are valid akash accounts (20 bytes)", arguments: [
        "akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq", "akash100dwtg4hqnd240x583spjwnk4kanp559xwtvmg",
        "akash19zzh7whjt4vfwxd5wtj3tjtyatnpntfhldshd8", "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc",
        "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63", "akash1pas6v0905jgyznpvnjhg7tsthuyqek60gkz7uf",
    ])
    func validSamples(_ address: String) throws {
        #expect(try Bech32.decode(address, expectingPrefix: "akash").count == 20)
    }

    @Test("all upper case is valid bech32")
    func upperCase() throws {
        #expect(try Bech32.decode("AKASH102KDWSSSL6JF4FRDCZ50MUA6J0H6D8WDHJH7NQ", expectingPrefix: "akash").count == 20)
    }

    @Test("the same key under another prefix has a valid checksum but the wrong prefix")
    func wrongPrefix() {
        #expect(throws: Bech32.Problem.wrongPrefix(found: "cosmos", expected: "akash")) {
            try Bech32.decode("cosmos102kdwsssl6jf4frdcz50mua6j0h6d8wd6f6e26", expectingPrefix: "akash")
        }
        #expect(throws: Bech32.Problem.wrongPrefix(found: "akashvaloper", expected: "akash")) {
            try Bech32.decode("akashvaloper102kdwsssl6jf4frdcz50mua6j0h6d8wdasecr2", expectingPrefix: "akash")
        }
    }

    @Test("one changed character or two swapped ones break the checksum", arguments: [
        "akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nr",   // last character
        "akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7n",    // truncated copy
        "akash120kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq",   // transposition
    ])
    func badChecksum(_ address: String) {
        #expect(throws: Bech32.Problem.badChecksum) { try Bech32.decode(address, expectingPrefix: "akash") }
    }

    @Test("mixed case is refused")
    func mixedCase() {
        #expect(throws: Bech32.Problem.mixedCase) {
            try Bech32.decode("akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7NQ", expectingPrefix: "akash")
        }
    }

    @Test("characters outside the alphabet are named with their position")
    func badCharacters() {
        #expect(throws: Bech32.Problem.invalidCharacter("b", position: 9)) {
            try Bech32.decode("akash102bdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq", expectingPrefix: "akash")
        }
        #expect(throws: Bech32.Problem.invalidCharacter(" ", position: 1)) {
            try Bech32.decode(" akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq", expectingPrefix: "akash")
        }
        #expect(throws: Bech32.Problem.invalidCharacter("é", position: 10)) {
            try Bech32.decode("akash102kédwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq", expectingPrefix: "akash")
        }
    }

    @Test("no separator, empty, too long")
    func structure() {
        #expect(throws: Bech32.Problem.missingSeparator) { try Bech32.decode("akashqqqq", expectingPrefix: "akash") }
        #expect(throws: Bech32.Problem.empty) { try Bech32.decode("", expectingPrefix: "akash") }
        #expect(throws: Bech32.Problem.tooLong(91)) {
            try Bech32.decode("akash1" + String(repeating: "q", count: 85), expectingPrefix: "akash")
        }
    }

    @Test("a valid checksum over a payload that is not 20 or 32 bytes is refused")
    func payloadLength() {
        // BIP-173 test vector: valid bech32 with an empty payload under the prefix "a".
        #expect(throws: Bech32.Problem.badPayload("holds 0 bytes, expected 20 (an account) or 32")) {
            try Bech32.decode("a12uel5l", expectingPrefix: "a")
        }
    }
}
