import ColmeiaRaft
import Foundation
import Testing
@testable import ColmeiaRaftStorage

/// Crash recovery: torn tails are cut off, anything else is reported and stops the node.
@Suite struct WALRecoveryTests {
    /// Cutting the last record at every byte — from its first byte (nothing of it left) to
    /// its last — recovers exactly the records before it, truncates the file to where
    /// the record began, and leaves a WAL that appends and reopens normally.
    @Test func tornLastRecordAtEveryOffset() throws {
        try withTemporaryDirectory { root in
            let source = root + "/source"
            let (wal, _) = try WAL.open(directory: source)
            try wal.save(hardState: HardState(term: 1, vote: 1, commit: 0), entries: makeEntries(1...5, term: 1))
            try wal.save(hardState: HardState(term: 1, vote: 1, commit: 5), entries: makeEntries(6...20, term: 1))
            let lastStart = wal.currentSegmentSize
            try wal.save(hardState: nil, entries: [Entry(term: 1, index: 21, data: Array(repeating: 0x5A, count: 40))])
            let lastEnd = wal.currentSegmentSize
            let segment = try #require(wal.segmentFileNames.last)
            wal.close()
            let original = try readFile(source + "/" + segment)
            #expect(original.count == lastEnd)
            let expectedEntries = makeEntries(1...20, term: 1)
            let expectedState = HardState(term: 1, vote: 1, commit: 5)

            for cut in lastStart..<lastEnd {
                let directory = root + "/cut-\(cut)"
                try makeDirectory(directory)
                let path = directory + "/" + segment
                try writeFile(path, Array(original[..<cut]))

                let (recovered, contents) = try WAL.open(directory: directory)
                #expect(contents.entries == expectedEntries, "cut at \(cut)")
                #expect(contents.hardState == expectedState, "cut at \(cut)")
                if cut == lastStart {
                    #expect(contents.repairedTail == nil)
                } else {
                    #expect(contents.repairedTail?.offset == lastStart, "cut at \(cut)")
                    #expect(contents.repairedTail?.discardedBytes == cut - lastStart, "cut at \(cut)")
                }
                #expect(try fileSize(path) == lastStart, "cut at \(cut)")

                let replacement = Entry(term: 2, index: 21, data: [UInt8(truncatingIfNeeded: cut)])
                try recovered.save(hardState: HardState(term: 2, vote: 2, commit: 20), entries: [replacement])
                recovered.close()
                let reopened = try reopen(directory)
                #expect(reopened.entries == expectedEntries + [replacement], "cut at \(cut)")
                #expect(reopened.hardState == HardState(term: 2, vote: 2, commit: 20))
                #expect(reopened.repairedTail == nil)
                try FileManager.default.removeItem(atPath: directory)
            }
        }
    }

    /// A simple model of what replay must produce after each single-record save.
    private struct Model: Equatable {
        var entries: [Entry] = []
        var hardState = HardState()
        var snapshot: SnapshotMetadata?
    }

    /// Cuts at random offsets anywhere after the segment header recover exactly the
    /// records that were complete before the cut.
    @Test func randomCutsRecoverCompleteRecords() throws {
        try withTemporaryDirectory { root in
            var random = SplitMix64(seed: 0xC01_3E1A)
            let source = root + "/source"
            let (wal, _) = try WAL.open(directory: source)
            // (end offset of the record, model after it), one record per save.
            var checkpoints: [(end: Int, model: Model)] = [(wal.currentSegmentSize, Model())]
            var model = Model()
            var term: UInt64 = 1
            for step in 0..<120 {
                switch step % 10 {
                case 3:
                    model.hardState = HardState(term: term, vote: 1, commit: UInt64(model.entries.count / 2))
                    try wal.save(hardState: model.hardState, entries: [])
                case 7 where model.entries.count > 4:
                    // A new leader overwrites the last few entries.
                    term += 1
                    let index = model.entries[model.entries.count - 3].index
                    let entry = Entry(term: term, index: index, data: random.bytes(Int.random(in: 0...30, using: &random)))
                    model.entries.removeLast(3)
                    model.entries.append(entry)
                    try wal.save(hardState: nil, entries: [entry])
                case 9 where step == 59:
                    let covered = model.entries[model.entries.count / 2]
                    let marker = SnapshotMetadata(index: covered.index, term: covered.term)
                    model.entries.removeAll { $0.index <= marker.index }
                    model.snapshot = marker
                    try wal.saveSnapshotMarker(marker)
                default:
                    let index = (model.entries.last?.index ?? model.snapshot?.index ?? 0) + 1
                    let entry = Entry(term: term, index: index, data: random.bytes(Int.random(in: 0...60, using: &random)))
                    model.entries.append(entry)
                    try wal.save(hardState: nil, entries: [entry])
                }
                checkpoints.append((wal.currentSegmentSize, model))
            }
            let segment = try #require(wal.segmentFileNames.last)
            #expect(wal.segmentFileNames.count == 1)
            wal.close()
            let original = try readFile(source + "/" + segment)
            let headerEnd = checkpoints[0].end

            for trial in 0..<60 {
                let cut = Int.random(in: headerEnd..<original.count, using: &random)
                guard let complete = checkpoints.last(where: { $0.end <= cut }) else {
                    Issue.record("no checkpoint before \(cut)")
                    continue
                }
                let directory = root + "/trial-\(trial)"
                try makeDirectory(directory)
                let path = directory + "/" + segment
                try writeFile(path, Array(original[..<cut]))

                let (recovered, contents) = try WAL.open(directory: directory)
                let got = Model(entries: contents.entries, hardState: contents.hardState, snapshot: contents.snapshot)
                #expect(got == complete.model, "cut at \(cut)")
                #expect(try fileSize(path) == complete.end, "cut at \(cut)")
                #expect((contents.repairedTail != nil) == (cut != complete.end))

                let next = Entry(term: term + 1, index: recovered.lastIndex + 1, data: [1, 2, 3])
                try recovered.save(hardState: nil, entries: [next])
                recovered.close()
                #expect(try reopen(directory).entries == complete.model.entries + [next], "cut at \(cut)")
                try FileManager.default.removeItem(atPath: directory)
            }
        }
    }

    @Test func zeroFilledTailIsTruncated() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            try wal.save(hardState: HardState(term: 1), entries: makeEntries(1...4, term: 1))
            let end = wal.currentSegmentSize
            let path = root + "/" + (wal.segmentFileNames.last ?? "")
            wal.close()
            try writeFile(path, try readFile(path) + [UInt8](repeating: 0, count: 5000))
            let contents = try reopen(root)
            #expect(contents.entries == makeEntries(1...4, term: 1))
            #expect(contents.repairedTail?.offset == end)
            #expect(try fileSize(path) == end)
        }
    }

    /// The final record is complete in size but its bytes did not all reach the disk.
    @Test func finalRecordWithBadChecksumIsTornTail() throws {
        for trailingZeros in [0, 100] {
            try withTemporaryDirectory { root in
                let (wal, _) = try WAL.open(directory: root)
                try wal.save(hardState: nil, entries: makeEntries(1...4, term: 1))
                let lastStart = wal.currentSegmentSize
                try wal.save(hardState: nil, entries: makeEntries(5...5, term: 1))
                let path = root + "/" + (wal.segmentFileNames.last ?? "")
                wal.close()
                var bytes = try readFile(path)
                bytes[bytes.count - 3] ^= 0x40
                try writeFile(path, bytes + [UInt8](repeating: 0, count: trailingZeros))
                let contents = try reopen(root)
                #expect(contents.entries == makeEntries(1...4, term: 1))
                #expect(contents.repairedTail?.offset == lastStart)
                #expect(try fileSize(path) == lastStart)
            }
        }
    }

    /// Damage to any byte of a record that has valid records after it — length,
    /// checksum, type or payload — stops recovery with the file and the record's offset.
    @Test func corruptionBeforeTheTailNamesFileAndOffset() throws {
        try withTemporaryDirectory { root in
            let source = root + "/source"
            let (wal, _) = try WAL.open(directory: source)
            for index in UInt64(1)...12 {
                try wal.save(hardState: HardState(term: 1, commit: index - 1), entries: makeEntries(index...index, term: 1))
            }
            let segment = try #require(wal.segmentFileNames.last)
            wal.close()
            let original = try readFile(source + "/" + segment)
            let offsets = try recordOffsets(source + "/" + segment)
            let victim = 9  // Somewhere in the middle, many records follow.
            let start = offsets[victim]
            let end = offsets[victim + 1]

            var checked = 0
            for position in start..<end {
                for flip: UInt8 in [0x01, 0x80, 0xFF] {
                    let directory = root + "/flip-\(position)-\(flip)"
                    try makeDirectory(directory)
                    var bytes = original
                    bytes[position] ^= flip
                    try writeFile(directory + "/" + segment, bytes)
                    let error = expectError(WALError.self) { _ = try reopen(directory) }
                    let text = error.map { "\($0)" } ?? ""
                    #expect(text.contains(segment), "byte \(position) ^ \(flip): \(text)")
                    #expect(text.contains("byte offset \(start):"), "byte \(position) ^ \(flip): \(text)")
                    guard case .corrupt(_, let offset, _) = error else {
                        Issue.record("expected .corrupt, got \(text)")
                        continue
                    }
                    #expect(offset == start)
                    // Nothing was truncated: the evidence stays for the operator.
                    #expect(try readFile(directory + "/" + segment) == bytes)
                    try FileManager.default.removeItem(atPath: directory)
                    checked += 1
                }
            }
            #expect(checked == 3 * (end - start))
        }
    }

    @Test func damagedSealedSegmentIsCorruptionEvenAtItsEnd() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root, segmentSize: 400)
            for index in UInt64(1)...30 { try wal.save(hardState: nil, entries: makeEntries(index...index, term: 1)) }
            let segments = wal.segmentFileNames
            wal.close()
            #expect(segments.count >= 3)
            let first = root + "/" + segments[0]
            let original = try readFile(first)

            // Cut short: in a sealed segment that is lost data, not a torn write.
            try writeFile(first, Array(original.dropLast(5)))
            let truncated = expectError(WALError.self) { _ = try reopen(root, segmentSize: 400) }
            #expect(truncated.map { "\($0)" }?.contains(segments[0]) == true)

            // A bad checksum on its final record.
            var flipped = original
            flipped[flipped.count - 1] ^= 0x10
            try writeFile(first, flipped)
            let offsets = try recordOffsets(root + "/" + segments[1])
            #expect(offsets.count > 2)
            let mismatch = expectError(WALError.self) { _ = try reopen(root, segmentSize: 400) }
            guard case .corrupt(let path, _, .checksumMismatch) = mismatch else {
                Issue.record("expected checksum mismatch, got \(String(describing: mismatch))")
                return
            }
            #expect(path.hasSuffix(segments[0]))
        }
    }

    /// A damaged length field that points past end of file must not be mistaken for a
    /// torn tail when valid records follow it.
    @Test func inflatedLengthWithDataAfterItIsCorruption() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            for index in UInt64(1)...10 { try wal.save(hardState: nil, entries: makeEntries(index...index, term: 1)) }
            let segment = try #require(wal.segmentFileNames.last)
            wal.close()
            let path = root + "/" + segment
            var bytes = try readFile(path)
            let offsets = try recordOffsets(path)
            let victim = offsets[3]
            bytes[victim + 1] = 0x7F  // length grows by ~32 KiB, past the end of the file
            try writeFile(path, bytes)
            let error = expectError(WALError.self) { _ = try reopen(root) }
            guard case .corrupt(_, let offset, .invalidLength) = error else {
                Issue.record("expected invalid length, got \(String(describing: error))")
                return
            }
            #expect(offset == victim)
            #expect(try fileSize(path) == bytes.count)
        }
    }

    @Test func garbageSegmentIsAClearError() throws {
        var random = SplitMix64(seed: 99)
        for size in [0, 3, 17, 4096] {
            try withTemporaryDirectory { root in
                let name = "0000000000000001-0000000000000001.wal"
                try writeFile(root + "/" + name, random.bytes(size))
                let error = expectError(WALError.self) { _ = try reopen(root) }
                guard case .corrupt(let path, 0, .badMagic) = error else {
                    Issue.record("expected bad magic, got \(String(describing: error))")
                    return
                }
                #expect(path.hasSuffix(name))
                #expect("\(error.map { "\($0)" } ?? "")".contains("not a Colmeia WAL segment"))
            }
        }
        // Garbage as a later segment, after a valid one.
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            try wal.save(hardState: nil, entries: makeEntries(1...3, term: 1))
            wal.close()
            try writeFile(root + "/0000000000000002-0000000000000004.wal", random.bytes(1000))
            let error = expectError(WALError.self) { _ = try reopen(root) }
            #expect(error.map { "\($0)" }?.contains("0000000000000002-0000000000000004.wal") == true)
        }
        // Random bytes after a valid header, in every segment position.
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root)
            let headerEnd = wal.currentSegmentSize
            let segment = wal.segmentFileNames[0]
            wal.close()
            let header = Array(try readFile(root + "/" + segment)[..<headerEnd])
            for trial in 0..<200 {
                try writeFile(root + "/" + segment, header + random.bytes(Int.random(in: 1...200, using: &random)))
                // Either a torn tail (then cut back to the header) or corruption: never a trap.
                do {
                    let contents = try reopen(root)
                    #expect(contents.entries.isEmpty, "trial \(trial)")
                    #expect(try fileSize(root + "/" + segment) == headerEnd)
                } catch let error as WALError {
                    guard case .corrupt = error else {
                        Issue.record("unexpected \(error)")
                        return
                    }
                }
            }
        }
    }

    @Test func missingOrForeignSegmentsAreErrors() throws {
        try withTemporaryDirectory { root in
            let (wal, _) = try WAL.open(directory: root, segmentSize: 300)
            for index in UInt64(1)...30 { try wal.save(hardState: nil, entries: makeEntries(index...index, term: 1)) }
            let segments = wal.segmentFileNames
            wal.close()
            #expect(segments.count >= 4)

            // A hole in the sequence.
            let middle = root + "/" + segments[1]
            let saved = try readFile(middle)
            try FileManager.default.removeItem(atPath: middle)
            guard case .missingSegment(_, 2) = expectError(WALError.self, { _ = try reopen(root) }) else {
                Issue.record("expected missing segment 2")
                return
            }
            try writeFile(middle, saved)

            // The oldest segment deleted by hand, with no snapshot covering its entries.
            let oldest = root + "/" + segments[0]
            let oldestBytes = try readFile(oldest)
            try FileManager.default.removeItem(atPath: oldest)
            let missing = expectError(WALError.self) { _ = try reopen(root) }
            guard case .corrupt(_, _, .missingEntries(expectedFirst: 1, _)) = missing else {
                Issue.record("expected missing entries, got \(String(describing: missing))")
                return
            }
            try writeFile(oldest, oldestBytes)

            // A segment renamed so its header disagrees with its name.
            let renamed = root + "/0000000000000001-0000000000000009.wal"
            try FileManager.default.moveItem(atPath: oldest, toPath: renamed)
            guard case .corrupt(_, 0, .headerMismatch) = expectError(WALError.self, { _ = try reopen(root) }) else {
                Issue.record("expected header mismatch")
                return
            }
            try FileManager.default.moveItem(atPath: renamed, toPath: oldest)

            // A .wal file whose name is not canonical.
            try writeFile(root + "/notes.wal", [])
            guard case .unrecognizedFile = expectError(WALError.self, { _ = try reopen(root) }) else {
                Issue.record("expected unrecognized file")
                return
            }
            try FileManager.default.removeItem(atPath: root + "/notes.wal")
            #expect(try reopen(root).entries == makeEntries(1...30, term: 1))
        }
    }
}
