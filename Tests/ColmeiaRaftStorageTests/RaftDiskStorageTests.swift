import ColmeiaRaft
import Foundation
import Testing
@testable import ColmeiaRaftStorage

@Suite struct RaftDiskStorageTests {
    private let members = ConfState(voters: [1, 2, 3])

    @Test func freshStorageIsEmpty() throws {
        try withTemporaryDirectory { root in
            let (storage, recovered) = try RaftDiskStorage.open(directory: root + "/node")
            #expect(recovered.snapshot == nil)
            #expect(recovered.hardState.isEmpty)
            #expect(recovered.entries.isEmpty)
            #expect(try listDirectory(root + "/node").contains("wal"))
            #expect(try listDirectory(root + "/node").contains("snap"))
            storage.close()
        }
    }

    @Test func roundTripWithCompaction() throws {
        try withTemporaryDirectory { root in
            let (storage, _) = try RaftDiskStorage.open(directory: root, segmentSize: 2048, snapshotsToKeep: 2)
            for batch in UInt64(0)..<30 {
                let entries = makeEntries((batch * 10 + 1)...(batch * 10 + 10), term: 1 + batch / 10)
                try storage.persist(
                    hardState: HardState(term: 1 + batch / 10, vote: 1, commit: batch * 10),
                    entries: entries, snapshot: nil
                )
                if batch == 9 || batch == 14 || batch == 19 {
                    let index = batch * 10
                    let snapshot = Snapshot(
                        metadata: SnapshotMetadata(index: index, term: 1 + (index - 1) / 100, confState: members),
                        data: Array("state at \(index)".utf8)
                    )
                    try storage.compact(to: snapshot)
                }
            }
            let walFiles = try listDirectory(root + "/wal").filter { $0.hasSuffix(".wal") }
            #expect(walFiles == storage.wal.segmentFileNames)
            #expect(try storage.snapshots.files().map(\.index) == [140, 190])
            storage.close()

            let (reopened, recovered) = try RaftDiskStorage.open(directory: root, segmentSize: 2048)
            defer { reopened.close() }
            #expect(recovered.snapshot?.metadata == SnapshotMetadata(index: 190, term: 2, confState: members))
            #expect(recovered.snapshot?.data == Array("state at 190".utf8))
            var expected: [Entry] = []
            for batch in UInt64(19)..<30 {
                expected += makeEntries((batch * 10 + 1)...(batch * 10 + 10), term: 1 + batch / 10)
            }
            #expect(recovered.entries == expected)
            #expect(recovered.hardState == HardState(term: 3, vote: 1, commit: 290))
            #expect(recovered.removedSnapshotFiles.isEmpty)
            // The WAL no longer holds the segments before the snapshot.
            let oldest = try #require(reopened.wal.segmentFileNames.first.flatMap(WALSegmentName.init(fileName:)))
            #expect(oldest.sequence > 1)
            #expect(oldest.firstIndex <= 191)
        }
    }

    @Test func persistWithLeaderSnapshot() throws {
        try withTemporaryDirectory { root in
            let (storage, _) = try RaftDiskStorage.open(directory: root)
            try storage.persist(hardState: HardState(term: 1, vote: 1, commit: 2), entries: makeEntries(1...5, term: 1), snapshot: nil)
            // A follower that fell behind receives a snapshot at 40 and then entries.
            let snapshot = Snapshot(metadata: SnapshotMetadata(index: 40, term: 3, confState: members), data: [9, 9])
            try storage.persist(hardState: HardState(term: 3, vote: 0, commit: 40), entries: [], snapshot: snapshot)
            try storage.persist(hardState: HardState(term: 3, vote: 0, commit: 41), entries: makeEntries(41...43, term: 3), snapshot: nil)
            storage.close()
            let (reopened, recovered) = try RaftDiskStorage.open(directory: root)
            reopened.close()
            #expect(recovered.snapshot == snapshot)
            #expect(recovered.entries == makeEntries(41...43, term: 3))
            #expect(recovered.hardState == HardState(term: 3, vote: 0, commit: 41))
        }
    }

    @Test func missingMarkedSnapshotIsAnError() throws {
        try withTemporaryDirectory { root in
            let (storage, _) = try RaftDiskStorage.open(directory: root)
            try storage.persist(hardState: HardState(term: 1, commit: 10), entries: makeEntries(1...10, term: 1), snapshot: nil)
            try storage.compact(to: Snapshot(metadata: SnapshotMetadata(index: 8, term: 1, confState: members), data: [1]))
            storage.close()
            let path = root + "/snap/0000000000000001-0000000000000008.snap"
            let bytes = try readFile(path)

            try FileManager.default.removeItem(atPath: path)
            let missing = expectError(RaftDiskStorageError.self) { _ = try RaftDiskStorage.open(directory: root) }
            guard case .missingSnapshot(_, 8, 1) = missing else {
                Issue.record("expected missing snapshot, got \(String(describing: missing))")
                return
            }

            var corrupt = bytes
            corrupt[corrupt.count - 1] ^= 0xFF
            try writeFile(path, corrupt)
            let damaged = expectError(RaftDiskStorageError.self) { _ = try RaftDiskStorage.open(directory: root) }
            #expect(damaged.map { "\($0)" }?.contains(path) == true)

            try writeFile(path, bytes)
            let (reopened, recovered) = try RaftDiskStorage.open(directory: root)
            reopened.close()
            #expect(recovered.entries == makeEntries(9...10, term: 1))
        }
    }

    @Test func unmarkedSnapshotFromACrashIsRemoved() throws {
        try withTemporaryDirectory { root in
            let (storage, _) = try RaftDiskStorage.open(directory: root)
            try storage.persist(hardState: HardState(term: 1, commit: 5), entries: makeEntries(1...5, term: 1), snapshot: nil)
            // The process died after writing the snapshot file but before its WAL marker.
            try storage.snapshots.save(Snapshot(metadata: SnapshotMetadata(index: 5, term: 1), data: [1]))
            storage.close()
            let (reopened, recovered) = try RaftDiskStorage.open(directory: root)
            reopened.close()
            #expect(recovered.snapshot == nil)
            #expect(recovered.entries == makeEntries(1...5, term: 1))
            #expect(recovered.removedSnapshotFiles.count == 1)
            #expect(try listDirectory(root + "/snap").isEmpty)
        }
    }

    @Test func staleSnapshotsAreRefused() throws {
        try withTemporaryDirectory { root in
            let (storage, _) = try RaftDiskStorage.open(directory: root)
            defer { storage.close() }
            try storage.persist(hardState: HardState(term: 1, commit: 10), entries: makeEntries(1...10, term: 1), snapshot: nil)
            try storage.compact(to: Snapshot(metadata: SnapshotMetadata(index: 8, term: 1), data: []))
            // Compacting again to the same snapshot is harmless.
            try storage.compact(to: Snapshot(metadata: SnapshotMetadata(index: 8, term: 1), data: []))
            let error = expectError(RaftDiskStorageError.self) {
                try storage.compact(to: Snapshot(metadata: SnapshotMetadata(index: 4, term: 1), data: []))
            }
            guard case .staleSnapshot(4, 8) = error else {
                Issue.record("expected stale snapshot, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func unsyncedBatchesAreFlushedByTheNextSyncedOne() throws {
        try withTemporaryDirectory { root in
            let (storage, _) = try RaftDiskStorage.open(directory: root)
            let flushes = storage.wal.syncCount
            try storage.persist(hardState: HardState(term: 1, commit: 0), entries: makeEntries(1...3, term: 1), snapshot: nil,
                                sync: false)
            try storage.persist(hardState: HardState(term: 1, commit: 3), entries: makeEntries(4...6, term: 1), snapshot: nil)
            #expect(storage.wal.syncCount == flushes + 1)
            storage.close()
            let (reopened, recovered) = try RaftDiskStorage.open(directory: root)
            reopened.close()
            #expect(recovered.entries == makeEntries(1...6, term: 1))
            #expect(recovered.hardState == HardState(term: 1, commit: 3))
        }
    }
}
