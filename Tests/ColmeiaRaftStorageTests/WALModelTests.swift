import ColmeiaRaft
import Testing
@testable import ColmeiaRaftStorage

/// Random operation sequences against a plain in-memory model of a Raft log, with tiny
/// segments so rotation and release happen constantly, reopening along the way.
@Suite struct WALModelTests {
    private struct Model {
        var entries: [Entry] = []
        var snapshot: SnapshotMetadata?
        var hardState = HardState()
        var term: UInt64 = 1

        var lastIndex: UInt64 { entries.last?.index ?? snapshot?.index ?? 0 }
        var snapshotIndex: UInt64 { snapshot?.index ?? 0 }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func randomOperationsMatchModel(seed: UInt64) throws {
        try withTemporaryDirectory { root in
            var random = SplitMix64(seed: seed)
            var model = Model()
            let segmentSize = 300
            var (wal, _) = try WAL.open(directory: root, segmentSize: segmentSize)
            var released = 0
            for step in 0..<400 {
                switch Int.random(in: 0..<100, using: &random) {
                case 0..<45:
                    let count = UInt64.random(in: 1...4, using: &random)
                    let entries = makeEntries((model.lastIndex + 1)...(model.lastIndex + count), term: model.term, size: step % 20)
                    model.entries += entries
                    model.hardState = HardState(term: model.term, vote: 1, commit: model.hardState.commit)
                    try wal.save(hardState: model.hardState, entries: entries)
                case 45..<55 where model.entries.count > 2:
                    // A new leader overwrites an uncommitted suffix.
                    model.term += 1
                    let from = model.entries[Int.random(in: 1..<model.entries.count, using: &random)].index
                    let count = UInt64.random(in: 1...3, using: &random)
                    let entries = makeEntries(from...(from + count - 1), term: model.term, size: 5)
                    model.entries.removeAll { $0.index >= from }
                    model.entries += entries
                    try wal.save(hardState: nil, entries: entries)
                case 55..<70 where !model.entries.isEmpty:
                    // Local compaction: snapshot at an entry we hold, then release.
                    let covered = model.entries[Int.random(in: 0..<model.entries.count, using: &random)]
                    let marker = SnapshotMetadata(index: covered.index, term: covered.term)
                    model.entries.removeAll { $0.index <= covered.index }
                    model.snapshot = marker
                    try wal.saveSnapshotMarker(marker)
                    released += try wal.releaseSegments(before: marker.index).count
                case 70..<75:
                    // A leader's snapshot from a newer term replaces the whole log.
                    model.term += 1
                    let index = model.snapshotIndex + UInt64.random(in: 1...(model.lastIndex - model.snapshotIndex + 5), using: &random)
                    let marker = SnapshotMetadata(index: index, term: model.term)
                    model.entries = []
                    model.snapshot = marker
                    try wal.save(hardState: HardState(term: model.term, commit: index), entries: [], snapshotMarker: marker)
                    model.hardState = HardState(term: model.term, commit: index)
                case 75..<85:
                    model.hardState = HardState(term: model.term, vote: 2, commit: model.lastIndex)
                    try wal.save(hardState: model.hardState, entries: [], sync: Bool.random(using: &random))
                case 85..<92:
                    wal.close()
                    let contents: WALContents
                    (wal, contents) = try WAL.open(directory: root, segmentSize: segmentSize)
                    #expect(contents.entries == model.entries, "seed \(seed) step \(step)")
                    #expect(contents.snapshot == model.snapshot, "seed \(seed) step \(step)")
                    #expect(contents.hardState == model.hardState, "seed \(seed) step \(step)")
                    #expect(wal.lastIndex == model.lastIndex, "seed \(seed) step \(step)")
                default:
                    break
                }
                #expect(wal.lastIndex == model.lastIndex, "seed \(seed) step \(step)")
            }
            #expect(released > 0)
            wal.close()
            let contents = try reopen(root, segmentSize: segmentSize)
            #expect(contents.entries == model.entries)
            #expect(contents.snapshot == model.snapshot)
            #expect(contents.hardState == model.hardState)
        }
    }
}
