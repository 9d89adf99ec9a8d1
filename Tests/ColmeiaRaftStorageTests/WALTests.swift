import ColmeiaRaft
import Testing
@testable import ColmeiaRaftStorage

@Suite struct WALTests {
    @Test func freshDirectoryIsEmptyAndGetsFirstSegment() throws {
        try withTemporaryDirectory { root in
            let directory = root + "/a/b/wal"
            let (wal, contents) = try WAL.open(directory: directory)
            #expect(contents == WALContents())
            #expect(wal.segmentFileNames == ["0000000000000001-0000000000000001.wal"])
            #expect(wal.lastIndex == 0)
            wal.close()
            #expect(try reopen(directory) == WALContents())
        }
    }

    @Test func manyEntriesAndHardStatesSurviveReopen() throws {
        try withTemporaryDirectory { root in
            var random = SplitMix64(seed: 1)
            let (wal, _) = try WAL.open(directory: root, segmentSize: 4096)
            var expected: [Entry] = []
            var hardState = HardState()
            var next: UInt64 = 1
            for batch in 0..<150 {
                let count = UInt64.random(in: 0...8, using: &random)
                let entries = (0..<count).map { offset in
                    Entry(
                        term: UInt64(batch / 10 + 1), index: next + offset,
                        kind: offset == 3 ? .confChange : .normal,
                        data: random.bytes(Int.random(in: 0...40, using: &random))
                    )
                }
                next += count
                expected += entries
                hardState = HardState(term: UInt64(batch / 10 + 1), vote: UInt64(batch % 3), commit: next - 1)
                try wal.save(hardState: batch % 4 == 0 ? nil : hardState, entries: entries)
                if batch % 4 == 0 { try wal.save(hardState: hardState, entries: []) }
            }
            #expect(wal.segmentFileNames.count > 3)
            wal.close()
            let contents = try reopen(root, segmentSize: 4096)
            #expect(contents.entries == expected)
            #expect(contents.hardState == hardState)
            #expect(contents.snapshot == nil)
            #expect(contents.repairedTail == nil)
        }
    }

    @Test func oneBatchIsOneFlush() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            defer { wal.close() }
            let before = wal.syncCount
            try wal.save(hardState: HardState(term: 1, commit: 0), entries: makeEntries(1...500, term: 1))
            #expect(wal.syncCount == before + 1)
            try wal.save(hardState: nil, entries: makeEntries(501...510, term: 1), sync: false)
            try wal.save(hardState: HardState(term: 1, commit: 510), entries: [], sync: false)
            #expect(wal.syncCount == before + 1)
            try wal.sync()
            #expect(wal.syncCount == before + 2)
            try wal.sync()
            #expect(wal.syncCount == before + 2)
        }
    }

    @Test func overwrittenSuffixIsReplaced() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            try wal.save(hardState: HardState(term: 1, vote: 1, commit: 3), entries: makeEntries(1...10, term: 1))
            try wal.save(hardState: HardState(term: 2, vote: 2, commit: 5), entries: makeEntries(6...8, term: 2))
            #expect(wal.lastIndex == 8)
            wal.close()
            let contents = try reopen(root)
            #expect(contents.entries == makeEntries(1...5, term: 1) + makeEntries(6...8, term: 2))
            #expect(contents.hardState == HardState(term: 2, vote: 2, commit: 5))
        }
    }

    @Test func overwriteAcrossSegmentsIsReplaced() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root, segmentSize: 512)
            for index in UInt64(1)...40 { try wal.save(hardState: nil, entries: makeEntries(index...index, term: 1)) }
            #expect(wal.segmentFileNames.count > 2)
            try wal.save(hardState: nil, entries: makeEntries(3...4, term: 3))
            wal.close()
            #expect(try reopen(root).entries == makeEntries(1...2, term: 1) + makeEntries(3...4, term: 3))
        }
    }

    @Test func snapshotMarkerDropsCoveredEntries() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            try wal.save(hardState: HardState(term: 1, commit: 10), entries: makeEntries(1...10, term: 1))
            let marker = SnapshotMetadata(index: 6, term: 1, confState: ConfState(voters: [1, 2, 3]))
            try wal.saveSnapshotMarker(marker)
            // Entries at or below the marker are ignored even if written later.
            try wal.save(hardState: nil, entries: makeEntries(5...11, term: 1))
            wal.close()
            let contents = try reopen(root)
            #expect(contents.snapshot == marker)
            #expect(contents.entries == makeEntries(7...11, term: 1))
            #expect(contents.hardState.commit == 10)
        }
    }

    @Test func conflictingSnapshotDiscardsTheWholeLog() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            try wal.save(hardState: nil, entries: makeEntries(1...10, term: 1))
            // A leader's snapshot at index 8 from term 2: our entry 8 has term 1, so the
            // suffix 9...10 is from a deposed leader and must go too (Raft §7).
            try wal.saveSnapshotMarker(SnapshotMetadata(index: 8, term: 2))
            #expect(wal.lastIndex == 8)
            try wal.save(hardState: HardState(term: 2, commit: 8), entries: makeEntries(9...9, term: 2))
            wal.close()
            let contents = try reopen(root)
            #expect(contents.snapshot?.index == 8)
            #expect(contents.entries == makeEntries(9...9, term: 2))
        }
    }

    @Test func snapshotBeyondTheLogEmptiesIt() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            try wal.save(hardState: nil, entries: makeEntries(1...3, term: 1))
            try wal.save(hardState: nil, entries: [], snapshotMarker: SnapshotMetadata(index: 50, term: 4))
            wal.close()
            let contents = try reopen(root)
            #expect(contents.entries.isEmpty)
            #expect(contents.snapshot?.index == 50)
            let (again, _) = try WAL.open(directory: root)
            #expect(again.lastIndex == 50)
            try again.save(hardState: nil, entries: makeEntries(51...52, term: 4))
            again.close()
            #expect(try reopen(root).entries == makeEntries(51...52, term: 4))
        }
    }

    @Test func invalidBatchesAreRejectedWithoutWriting() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            defer { wal.close() }
            try wal.save(hardState: nil, entries: makeEntries(1...5, term: 1))
            let size = wal.currentSegmentSize
            let invalid: [() throws -> Void] = [
                { try wal.save(hardState: nil, entries: makeEntries(7...8, term: 1)) },
                { try wal.save(hardState: nil, entries: [Entry(term: 1, index: 0)]) },
                { try wal.save(hardState: nil, entries: makeEntries(6...6, term: 1) + makeEntries(8...8, term: 1)) },
                { try wal.saveSnapshotMarker(SnapshotMetadata(index: 0, term: 0)) },
            ]
            for attempt in invalid {
                let error = expectError(WALError.self, attempt)
                guard case .invalidArgument = error else {
                    Issue.record("expected invalidArgument, got \(String(describing: error))")
                    continue
                }
            }
            try wal.saveSnapshotMarker(SnapshotMetadata(index: 4, term: 1))
            let stale = expectError(WALError.self) { try wal.saveSnapshotMarker(SnapshotMetadata(index: 3, term: 1)) }
            #expect(stale.map { "\($0)" }?.contains("older") == true)
            // Repeating the current marker is a no-op, not an error.
            let afterMarker = wal.currentSegmentSize
            try wal.saveSnapshotMarker(SnapshotMetadata(index: 4, term: 1))
            #expect(wal.currentSegmentSize == afterMarker)
            #expect(afterMarker > size)
        }
    }

    @Test func rotationReleaseAndReopen() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root, segmentSize: 1024)
            for index in UInt64(1)...200 {
                try wal.save(
                    hardState: HardState(term: 1, vote: 1, commit: index - 1),
                    entries: makeEntries(index...index, term: 1, size: 24)
                )
            }
            let segmentsBefore = wal.segmentFileNames
            #expect(segmentsBefore.count > 10)
            // Every segment is named for the index it was started at, and the files exist.
            for name in segmentsBefore {
                #expect(WALSegmentName(fileName: name) != nil)
                #expect(try listDirectory(root).contains(name))
            }
            let marker = SnapshotMetadata(index: 150, term: 1, confState: ConfState(voters: [1]))
            try wal.saveSnapshotMarker(marker)
            let beforeRelease = wal.segmentFileNames
            let removed = try wal.releaseSegments(before: 150)
            #expect(!removed.isEmpty)
            let remaining = wal.segmentFileNames
            #expect(remaining == Array(beforeRelease.dropFirst(removed.count)))
            #expect(removed.map { String($0.split(separator: "/").last ?? "") } == Array(beforeRelease.prefix(removed.count)))
            #expect(try listDirectory(root).filter { $0.hasSuffix(".wal") } == remaining)
            // The oldest survivor must start at or before the entry after the snapshot.
            if let first = remaining.first.flatMap(WALSegmentName.init(fileName:)) {
                #expect(first.firstIndex <= 151)
            }
            // Releasing beyond the marker is refused: replay could not skip the gap.
            #expect(expectError(WALError.self) { try wal.releaseSegments(before: 151) } != nil)
            try wal.save(hardState: HardState(term: 1, vote: 1, commit: 200), entries: makeEntries(201...210, term: 1, size: 24))
            wal.close()

            let contents = try reopen(root, segmentSize: 1024)
            #expect(contents.snapshot == marker)
            #expect(contents.entries == makeEntries(151...210, term: 1, size: 24))
            #expect(contents.hardState == HardState(term: 1, vote: 1, commit: 200))
        }
    }

    @Test func releaseAfterOverwriteKeepsWhatReplayNeeds() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root, segmentSize: 600)
            for index in UInt64(1)...60 { try wal.save(hardState: nil, entries: makeEntries(index...index, term: 1)) }
            // A new leader overwrites from 40 onwards; segments named after 60 now hold
            // entries that replay must still see as overwritten.
            for index in UInt64(40)...70 { try wal.save(hardState: nil, entries: makeEntries(index...index, term: 2)) }
            try wal.saveSnapshotMarker(SnapshotMetadata(index: 45, term: 2))
            #expect(try !wal.releaseSegments(before: 45).isEmpty)
            wal.close()
            let contents = try reopen(root, segmentSize: 600)
            #expect(contents.entries == makeEntries(46...70, term: 2))
            #expect(contents.snapshot?.index == 45)
        }
    }

    @Test func directoryIsLockedWhileOpen() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            let error = expectError(WALError.self) { _ = try WAL.open(directory: root) }
            guard case .locked = error else {
                Issue.record("expected .locked, got \(String(describing: error))")
                return
            }
            wal.close()
            #expect(expectError(WALError.self) { try wal.save(hardState: HardState(term: 1), entries: []) }
                .map { "\($0)" } == "WAL is closed")
            _ = try reopen(root)
        }
    }

    @Test func leftoverTemporarySegmentIsRemoved() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            try wal.save(hardState: nil, entries: makeEntries(1...3, term: 1))
            wal.close()
            let stray = root + "/0000000000000002-0000000000000004.wal.tmp"
            try writeFile(stray, [1, 2, 3])
            #expect(try reopen(root).entries == makeEntries(1...3, term: 1))
            #expect(try !listDirectory(root).contains("0000000000000002-0000000000000004.wal.tmp"))
        }
    }

    @Test func recordsOverTheLimitAreRefusedBeforeWriting() throws {
        var writer = BinaryWriter()
        let entry = Entry(term: 1, index: 1, data: [UInt8](repeating: 1, count: 200))
        let error = expectError(WALError.self) { try WALRecord.entry(entry).append(to: &writer, limit: 100) }
        guard case .recordTooLarge(222, 100) = error else {
            Issue.record("expected recordTooLarge, got \(String(describing: error))")
            return
        }
        try WALRecord.entry(entry).append(to: &writer, limit: WAL.maxRecordLength)
        #expect(writer.count == 8 + 222)
    }
}
