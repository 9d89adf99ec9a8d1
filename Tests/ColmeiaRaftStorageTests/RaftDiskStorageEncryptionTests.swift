import ColmeiaRaft
import Foundation
import Testing
@testable import ColmeiaRaftStorage

/// Encryption at rest through a ``PayloadCipher``: what reaches the disk, what comes back.
@Suite struct RaftDiskStorageEncryptionTests {
    private let members = ConfState(voters: [1, 2, 3])

    @Test("entry and snapshot data never reach the disk in the clear, come back on reopen, and refuse another key")
    func sealedAtRest() throws {
        try withTemporaryDirectory { root in
            let marker = Array("PLAINTEXT-MARKER".utf8)
            let entries = (UInt64(1)...20).map { Entry(term: 1, index: $0, data: marker + Array("\($0)".utf8)) }
            let snapshot = Snapshot(metadata: SnapshotMetadata(index: 10, term: 1, confState: members), data: marker)
            let (storage, _) = try RaftDiskStorage.open(directory: root, cipher: MaskingCipher(key: 0x5A))
            try storage.persist(hardState: HardState(term: 1, vote: 1, commit: 20), entries: entries, snapshot: nil)
            try storage.compact(to: snapshot)
            storage.close()

            for directory in ["wal", "snap"] {
                for file in try listDirectory(root + "/" + directory) {
                    let bytes = try readFile(root + "/" + directory + "/" + file)
                    #expect(!contains(bytes, marker), "\(directory)/\(file) holds data in the clear")
                }
            }

            let (reopened, recovered) = try RaftDiskStorage.open(directory: root, cipher: MaskingCipher(key: 0x5A))
            reopened.close()
            #expect(recovered.snapshot == snapshot)
            #expect(recovered.entries == Array(entries.dropFirst(10)))

            let refused = expectError(RaftDiskStorageError.self) {
                _ = try RaftDiskStorage.open(directory: root, cipher: MaskingCipher(key: 0x33))
            }
            #expect(refused.map { "\($0)" }?.contains("wrong data key") == true, "\(String(describing: refused))")
        }
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<$0 + needle.count]) == needle }
    }
}

/// A stand-in cipher (the real one, ChaCha20-Poly1305, lives with the node): masks every
/// byte and appends a tag of key and context, so a wrong key or a moved payload fails.
private struct MaskingCipher: PayloadCipher {
    struct Mismatch: Error {}
    let key: UInt8

    func tag(_ context: [UInt8]) -> [UInt8] { [key] + context }

    func seal(_ plaintext: [UInt8], context: [UInt8]) throws -> [UInt8] {
        plaintext.map { $0 ^ key } + tag(context)
    }

    func open(_ sealed: [UInt8], context: [UInt8]) throws -> [UInt8] {
        let expected = tag(context)
        guard sealed.count >= expected.count, Array(sealed.suffix(expected.count)) == expected else { throw Mismatch() }
        return sealed.dropLast(expected.count).map { $0 ^ key }
    }
}
