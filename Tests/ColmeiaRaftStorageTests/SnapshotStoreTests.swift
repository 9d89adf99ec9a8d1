import ColmeiaRaft
import Foundation
import Testing
@testable import ColmeiaRaftStorage

@Suite struct SnapshotStoreTests {
    private func snapshot(index: UInt64, term: UInt64, size: Int = 100) -> Snapshot {
        Snapshot(
            metadata: SnapshotMetadata(index: index, term: term, confState: ConfState(voters: [1, 2, 3], learners: [4])),
            data: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(index)) }
        )
    }

    @Test func saveAndLoad() throws {
        try withTemporaryDirectory { root in
            let store = try SnapshotStore(directory: root + "/snap")
            let original = snapshot(index: 0x1234, term: 5, size: 10_000)
            let path = try store.save(original)
            #expect(path.hasSuffix("/0000000000000005-0000000000001234.snap"))
            #expect(try store.load(term: 5, index: 0x1234) == original)
            #expect(store.contains(term: 5, index: 0x1234))
            #expect(try store.files() == [SnapshotFileName(term: 5, index: 0x1234)])
            // No temp file survives a successful save.
            #expect(try listDirectory(root + "/snap") == ["0000000000000005-0000000000001234.snap"])
            // Saving an empty snapshot is refused.
            #expect(expectError(SnapshotStoreError.self) { try store.save(Snapshot()) } != nil)
            // Missing file.
            guard case .notFound = expectError(SnapshotStoreError.self, { _ = try store.load(term: 1, index: 1) }) else {
                Issue.record("expected notFound")
                return
            }
        }
    }

    @Test func loadNewestSkipsCorruptNewerFiles() throws {
        try withTemporaryDirectory { root in
            let store = try SnapshotStore(directory: root)
            #expect(try store.loadNewest().snapshot == nil)
            let older = snapshot(index: 10, term: 1)
            let middle = snapshot(index: 20, term: 2)
            let newest = snapshot(index: 30, term: 2)
            let newestPath = try store.save(newest)
            try store.save(older)
            let middlePath = try store.save(middle)
            #expect(try store.loadNewest().snapshot == newest)

            // Flip one data byte of the newest and cut the middle one short.
            var bytes = try readFile(newestPath)
            bytes[bytes.count - 10] ^= 0x01
            try writeFile(newestPath, bytes)
            try writeFile(middlePath, Array(try readFile(middlePath).prefix(40)))

            let result = try store.loadNewest()
            #expect(result.snapshot == older)
            #expect(result.path?.hasSuffix("0000000000000001-000000000000000a.snap") == true)
            #expect(result.skipped.map(\.path) == [newestPath, middlePath])
            guard case .checksumMismatch = result.skipped.first?.error else {
                Issue.record("expected checksum mismatch, got \(String(describing: result.skipped.first?.error))")
                return
            }
            #expect("\(result.skipped[0].error)".contains(newestPath))
        }
    }

    @Test func garbageAndMisnamedFilesAreRejected() throws {
        try withTemporaryDirectory { root in
            let store = try SnapshotStore(directory: root)
            var random = SplitMix64(seed: 5)
            let garbagePath = root + "/0000000000000001-0000000000000002.snap"
            for size in [0, 5, 16, 1000] {
                try writeFile(garbagePath, random.bytes(size))
                guard case .badMagic = expectError(SnapshotStoreError.self, { _ = try store.load(term: 1, index: 2) }) else {
                    Issue.record("expected bad magic for \(size) random bytes")
                    continue
                }
            }
            // Valid magic and checksum but wrong everything else.
            let valid = try store.save(snapshot(index: 7, term: 3))
            for length in 0..<(try readFile(valid).count) {
                try writeFile(garbagePath, Array(try readFile(valid).prefix(length)))
                #expect(expectError(SnapshotStoreError.self) { _ = try store.load(term: 1, index: 2) } != nil)
            }
            // A valid file under another snapshot's name.
            try writeFile(garbagePath, try readFile(valid))
            guard case .nameMismatch(_, 3, 7) = expectError(SnapshotStoreError.self, { _ = try store.load(term: 1, index: 2) }) else {
                Issue.record("expected name mismatch")
                return
            }
            // Unrelated files are ignored.
            try writeFile(root + "/README", [1])
            #expect(try store.files().count == 2)
        }
    }

    @Test func purgeKeepsTheNewest() throws {
        try withTemporaryDirectory { root in
            let store = try SnapshotStore(directory: root)
            for index in UInt64(1)...6 { try store.save(snapshot(index: index * 10, term: index / 3 + 1, size: 10)) }
            let removed = try store.purge(keeping: 2)
            #expect(removed.count == 4)
            #expect(try store.files().map(\.index) == [50, 60])
            #expect(try store.purge(keeping: 5).isEmpty)
            #expect(try store.loadNewest().snapshot?.metadata.index == 60)
        }
    }

    @Test func leftoverTempFilesAreRemovedOnOpen() throws {
        try withTemporaryDirectory { root in
            try writeFile(root + "/0000000000000001-0000000000000002.snap.tmp", [1, 2, 3])
            let store = try SnapshotStore(directory: root)
            #expect(try listDirectory(root).isEmpty)
            #expect(try store.loadNewest().snapshot == nil)
        }
    }
}
