import ColmeiaRaft
@testable import ColmeiaRaftSimulation
import Testing

/// The simulated disk keeps what was fsynced, maybe a prefix of the page cache, and cuts a
/// torn final record off on recovery, as `WAL.open` does.
@Suite struct SimulatedDiskTests {
    func entry(_ index: UInt64, term: UInt64 = 1) -> Entry {
        Entry(term: term, index: index, kind: .normal, data: Array("e\(index)".utf8))
    }

    @Test("unsynced writes are lost in a crash; synced ones survive")
    func unsyncedLost() throws {
        var disk = SimulatedDisk()
        try disk.write([.entry(entry(1)), .hardState(HardState(term: 1, vote: 0, commit: 1))], sync: true)
        try disk.write([.entry(entry(2)), .hardState(HardState(term: 1, vote: 0, commit: 2))], sync: false)
        #expect(disk.written.lastIndex == 2)
        let tore = disk.crash(keeping: 0, tearing: false, tornBytes: 0)
        #expect(!tore)
        let discarded = disk.recover()
        #expect(discarded == nil)
        #expect(disk.persistentState.entries.map(\.index) == [1])
        #expect(disk.persistentState.hardState.commit == 1)
    }

    @Test("a crash can keep a prefix of the page cache and tear the next record, which recovery drops")
    func tornTail() throws {
        var disk = SimulatedDisk()
        try disk.write([.entry(entry(1)), .entry(entry(2)), .entry(entry(3)),
                        .hardState(HardState(term: 2, vote: 1, commit: 3))], sync: false)
        let tore = disk.crash(keeping: 1, tearing: true, tornBytes: 5)
        #expect(tore)
        let torn = try #require(disk.tornTail)
        #expect(torn.presentBytes == 5)
        let discarded = disk.recover()
        #expect(discarded != nil)
        #expect(disk.tornTail == nil)
        // Entry 1 whole, entry 2 torn and cut off, the rest (and the hard state) never written.
        #expect(disk.persistentState.entries.map(\.index) == [1])
        #expect(disk.persistentState.hardState == HardState())
    }

    @Test("the hard state is written after its entries, so it never survives without them")
    func hardStateLast() throws {
        let ready = [SimulatedDisk.Record.entry(entry(1)), .hardState(HardState(term: 1, vote: 0, commit: 1))]
        for kept in 0...ready.count {
            var disk = SimulatedDisk()
            try disk.write(ready, sync: false)
            disk.crash(keeping: kept, tearing: true, tornBytes: 3)
            _ = disk.recover()
            let state = disk.persistentState
            #expect(state.hardState.commit <= (state.entries.last?.index ?? 0))
        }
    }

    @Test("an entry overwrites the suffix from its index on, and a snapshot marker drops what it covers")
    func replayRules() throws {
        var disk = SimulatedDisk()
        try disk.write((1...5).map { .entry(entry($0)) }, sync: true)
        try disk.write([.entry(entry(3, term: 2))], sync: true)
        #expect(disk.persistentState.entries.map(\.index) == [1, 2, 3])
        #expect(disk.persistentState.entries.last?.term == 2)
        let matching = Snapshot(metadata: SnapshotMetadata(index: 2, term: 1, confState: ConfState(voters: [1])))
        try disk.saveSnapshot(matching)
        #expect(disk.persistentState.entries.map(\.index) == [3])
        let diverging = Snapshot(metadata: SnapshotMetadata(index: 3, term: 5, confState: ConfState(voters: [1])))
        try disk.write([.snapshot(diverging)], sync: true)
        #expect(disk.persistentState.entries.isEmpty)
        #expect(disk.persistentState.snapshot?.metadata.index == 3)
        #expect(throws: SimulatedDisk.WriteError.self) { try disk.write([.entry(entry(5, term: 5))], sync: true) }
    }
}
