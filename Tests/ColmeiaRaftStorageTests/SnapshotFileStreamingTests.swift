import ColmeiaRaft
import Foundation
import Testing
@testable import ColmeiaRaftStorage

/// Snapshot files written and read as streams of chunks (format version 2), staged off
/// the storage's thread and adopted by it; version 1 files stay readable.
@Suite struct SnapshotFileStreamingTests {
    let metadata = SnapshotMetadata(index: 40, term: 3, confState: ConfState(voters: [1, 2, 3]))

    /// 2.5 chunks of a small chunk size, so that the last chunk is a partial one.
    func image(_ count: Int = 10_000) -> [UInt8] {
        var random = SplitMix64(seed: 7)
        return random.bytes(count)
    }

    @Test("a snapshot staged from a file, with or without a cipher, is adopted, recovered without its data in memory, and read back whole")
    func stageAdoptRecoverRead() throws {
        for cipher in [nil, ChunkMaskingCipher(key: 0x5A)] as [ChunkMaskingCipher?] {
            try withTemporaryDirectory { root in
                let source = root + "/image.db"
                let data = image(3 * SnapshotFileWriter.defaultChunkSize / 2 + 17)
                try writeFile(source, data)
                let (storage, _) = try RaftDiskStorage.open(directory: root + "/raft", cipher: cipher)
                try storage.persist(hardState: HardState(term: 3, vote: 1, commit: 40),
                                    entries: (1...40).map { Entry(term: $0 <= 20 ? 2 : 3, index: $0, data: [UInt8($0)]) },
                                    snapshot: nil)
                let staged = storage.stager.stagingPath(named: "build-test")
                #expect(try storage.stager.stage(metadata, dataFile: source, at: staged) == UInt64(data.count))
                if cipher != nil {
                    #expect(!containsSlice(try readFile(staged), Array(data[1000..<1064])), "sealed on disk")
                }
                try storage.compact(toStaged: staged, metadata: metadata)
                #expect(!FileManager.default.fileExists(atPath: staged))
                storage.close()

                let (reopened, recovered) = try RaftDiskStorage.open(directory: root + "/raft", cipher: cipher)
                defer { reopened.close() }
                #expect(recovered.snapshot?.metadata == metadata)
                #expect(recovered.snapshot?.data == [], "the data stays in its file")
                let reader = try reopened.openSnapshot(metadata)
                #expect(reader.version == 2)
                #expect(reader.dataLength == UInt64(data.count))
                #expect(try reader.readData() == data)
                let copy = root + "/copy.db"
                try reopened.openSnapshot(metadata).copyData(toFile: copy)
                #expect(try readFile(copy) == data)
            }
        }
    }

    @Test("a flipped byte, two chunks swapped, a cut-off tail or bytes appended are all caught when the storage opens")
    func damageIsCaught() throws {
        let data = image(3 * 1024 + 100)
        // Each damage to the bytes of a file written with 1 KiB chunks.
        let damages: [(String, ([UInt8]) -> [UInt8])] = [
            ("flipped byte", { var bytes = $0; bytes[bytes.count / 2] ^= 0x01; return bytes }),
            ("cut short", { Array($0.dropLast(50)) }),
            ("bytes appended", { $0 + [0, 0, 0, 0] }),
            ("chunks swapped", { bytes in
                // The header is before the first chunk; chunks 0 and 1 are whole (1 KiB + 8).
                let first = bytes.count - (3 * (1024 + 8) + 100 + 8)
                let size = 1024 + 8
                var swapped = bytes
                swapped.replaceSubrange(first..<first + size, with: bytes[first + size..<first + 2 * size])
                swapped.replaceSubrange(first + size..<first + 2 * size, with: bytes[first..<first + size])
                return swapped
            }),
        ]
        for (what, damage) in damages {
            try withTemporaryDirectory { root in
                let source = root + "/image.db"
                try writeFile(source, data)
                let (storage, _) = try RaftDiskStorage.open(directory: root + "/raft")
                try storage.persist(hardState: HardState(term: 3, vote: 1, commit: 40),
                                    entries: (1...40).map { Entry(term: 3, index: $0, data: []) }, snapshot: nil)
                let staged = storage.stager.stagingPath(named: "build")
                try SnapshotFileWriter.write(metadata, fromFile: source, to: staged, cipher: nil, chunkSize: 1024)
                try storage.compact(toStaged: staged, metadata: metadata)
                storage.close()
                let path = root + "/raft/snap/" + SnapshotFileName(term: 3, index: 40).fileName
                try writeFile(path, damage(try readFile(path)))
                #expect(throws: RaftDiskStorageError.self, "\(what)") {
                    _ = try RaftDiskStorage.open(directory: root + "/raft")
                }
            }
        }
    }

    @Test("a version 1 snapshot file (data in one piece) is still recovered whole and read through a reader")
    func versionOneStaysReadable() throws {
        try withTemporaryDirectory { root in
            let data = image()
            let cipher = ChunkMaskingCipher(key: 0x21)
            let (storage, _) = try RaftDiskStorage.open(directory: root, cipher: cipher)
            try storage.persist(hardState: HardState(term: 3, vote: 1, commit: 40),
                                entries: (1...40).map { Entry(term: 3, index: $0, data: [1]) }, snapshot: nil)
            try storage.compact(to: Snapshot(metadata: metadata, data: data))
            storage.close()
            let (reopened, recovered) = try RaftDiskStorage.open(directory: root, cipher: cipher)
            defer { reopened.close() }
            #expect(recovered.snapshot?.data == data)
            let reader = try reopened.openSnapshot(metadata)
            #expect(reader.version == 1)
            #expect(try reader.readData() == data)
        }
    }

    @Test("staged files a crash left behind are removed when the storage opens")
    func stagedLeftoversAreRemoved() throws {
        try withTemporaryDirectory { root in
            let (storage, _) = try RaftDiskStorage.open(directory: root)
            let staged = storage.stager.stagingPath(named: "build-crashed")
            try writeFile(staged, [1, 2, 3])
            storage.close()
            let (reopened, _) = try RaftDiskStorage.open(directory: root)
            reopened.close()
            #expect(!FileManager.default.fileExists(atPath: staged))
        }
    }
}

func containsSlice(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<$0 + needle.count]) == needle }
}

/// Masks every byte and appends a tag of key and context, so a wrong key or a moved
/// payload fails to open.
struct ChunkMaskingCipher: PayloadCipher {
    struct Mismatch: Error {}
    let key: UInt8

    func seal(_ plaintext: [UInt8], context: [UInt8]) throws -> [UInt8] {
        plaintext.map { $0 ^ key } + [key] + context
    }

    func open(_ sealed: [UInt8], context: [UInt8]) throws -> [UInt8] {
        let tag = [key] + context
        guard sealed.count >= tag.count, Array(sealed.suffix(tag.count)) == tag else { throw Mismatch() }
        return sealed.dropLast(tag.count).map { $0 ^ key }
    }
}
