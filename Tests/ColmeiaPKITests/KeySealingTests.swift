import Testing
@testable import ColmeiaPKI

@Suite struct KeySealingTests {
    @Test("an unlock key prints as SWMKEY-1-…, parses back, and rejects other text")
    func unlockKeyText() throws {
        let key = UnlockKey()
        #expect(key.description.hasPrefix("SWMKEY-1-"))
        #expect(try UnlockKey(parsing: " \(key.description)\n") == key)
        for bad in ["", "SWMKEY-1-", "SWMKEY-2-" + key.description.dropFirst(9), "SWMKEY-1-bm90IGEga2V5", "hello"] {
            #expect(throws: KeySealingError.invalidUnlockKey) { try UnlockKey(parsing: bad) }
        }
    }

    @Test("sealed with an unlock key: opens with the same key and label only")
    func sealing() throws {
        let key = UnlockKey()
        let sealed = try key.seal(Array("the node key".utf8), label: "swarm-node.key")
        #expect(try key.open(sealed, label: "swarm-node.key") == Array("the node key".utf8))
        #expect(throws: KeySealingError.wrongKey) { try UnlockKey().open(sealed, label: "swarm-node.key") }
        #expect(throws: KeySealingError.wrongKey) { try key.open(sealed, label: "raft-dek") }
        #expect(KeySealingError.wrongKey.description == "swarm could not be unlocked: invalid key provided")
    }

    @Test("the data key opens what it sealed in the same context only, with a fresh nonce each time")
    func dataKey() throws {
        let key = DataEncryptionKey()
        let first = try key.seal([1, 2, 3], context: [7])
        let second = try key.seal([1, 2, 3], context: [7])
        #expect(first != second)
        #expect(try key.open(first, context: [7]) == [1, 2, 3])
        #expect(throws: (any Error).self) { try key.open(first, context: [8]) }
        #expect(throws: (any Error).self) { try DataEncryptionKey().open(first, context: [7]) }
        #expect(try DataEncryptionKey(bytes: key.bytes) == key)
        #expect(throws: KeySealingError.self) { try DataEncryptionKey(bytes: [1, 2]) }
    }
}
