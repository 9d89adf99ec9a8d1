import ColmeiaModel
import Foundation
import Testing
@testable import ColmeiaStore

@Suite struct ClusterStoreSnapshotTests {
    @Test("a snapshot restored into a fresh store answers every query identically")
    func snapshotRoundTrip() throws {
        let sourcePath = temporaryPath()
        let targetPath = temporaryPath()
        defer {
            removeStore(sourcePath)
            removeStore(targetPath)
        }
        let source = try ClusterStore(path: sourcePath)
        var factory = CommandFactory()
        for (offset, command) in factory.sampleLog().enumerated() {
            _ = try source.apply(command, index: UInt64(offset + 1), term: 1)
        }
        let image = try source.snapshotData()

        let target = try ClusterStore(path: targetPath)
        try target.restore(snapshotData: image)
        #expect(try dump(target) == dump(source))
        #expect(target.applied == source.applied)

        // The restored store continues the log where the snapshot ends.
        let next = source.applied.index + 1
        let command = factory.createService(CommandFactory.service("svc8", name: "late"))
        #expect(try target.apply(command, index: next, term: 1) == .applied(index: next))
        #expect(try source.apply(command, index: next, term: 1) == .applied(index: next))
        #expect(try dump(target) == dump(source))
    }

    @Test("a snapshot written to a file while commands are applied reflects exactly the position it reports")
    func snapshotFileDuringApply() async throws {
        let sourcePath = temporaryPath()
        let copyPath = temporaryPath("copy.db")
        defer {
            removeStore(sourcePath)
            removeStore(copyPath)
        }
        let source = try ClusterStore(path: sourcePath)
        var factory = CommandFactory()
        let commands = (0..<400).map { factory.createService(CommandFactory.service("svc\($0)", name: "s\($0)")) }
        for (offset, command) in commands.prefix(50).enumerated() {
            _ = try source.apply(command, index: UInt64(offset + 1), term: 1)
        }
        // Apply goes on, on another thread, while the copy is written.
        let applying = Task.detached {
            for (offset, command) in commands.enumerated().dropFirst(50) {
                _ = try source.apply(command, index: UInt64(offset + 1), term: 1)
            }
        }
        let position = try source.writeSnapshot(toFile: copyPath)
        try await applying.value
        #expect(position.index >= 50 && position.index <= 400)
        #expect(try ClusterStore.position(ofSnapshotFile: copyPath) == position)

        let targetPath = temporaryPath()
        defer { removeStore(targetPath) }
        let target = try ClusterStore(path: targetPath)
        try target.restore(snapshotFile: copyPath)
        #expect(target.applied == position)
        // The copy is the state at `position`: the log after it brings it level with the source.
        for (offset, command) in commands.enumerated() where UInt64(offset + 1) > position.index {
            _ = try target.apply(command, index: UInt64(offset + 1), term: 1)
        }
        #expect(try dump(target) == dump(source))
    }

    @Test("a damaged snapshot is refused and the store keeps its state")
    func damagedSnapshot() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        _ = try store.apply(factory.createService(CommandFactory.service("svc1", name: "web")), index: 1, term: 1)
        let before = try dump(store)
        #expect(throws: StoreError.self) { try store.restore(snapshotData: Array("not a database".utf8)) }
        #expect(try dump(store) == before)
    }

    @Test("the change feed delivers every applied command in order, without gaps, at the reader's pace")
    func changeFeed() async throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        let log = factory.sampleLog()
        // Half the log is applied before the reader starts; it must still see it all.
        for (offset, command) in log.prefix(4).enumerated() {
            _ = try store.apply(command, index: UInt64(offset + 1), term: 1)
        }
        let reader = Task {
            var seen: [ChangeBatch] = []
            for try await batch in store.changes(after: 0) {
                seen.append(batch)
                if batch.index >= UInt64(log.count) { break }
                try await Task.sleep(for: .milliseconds(5))  // a slow consumer
            }
            return seen
        }
        for (offset, command) in log.enumerated().dropFirst(4) {
            _ = try store.apply(command, index: UInt64(offset + 1), term: 1)
        }
        let batches = try await reader.value
        let expected = try store.audit(AuditQuery(limit: 1_000)).records
        #expect(batches.flatMap(\.records) == expected)
        #expect(batches.map(\.index) == batches.map(\.index).sorted())
        #expect(Set(batches.map(\.index)).count == batches.count, "one batch per command")
    }

    @Test("a reader waiting for changes can be cancelled")
    func cancelledReader() async throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        let waiter = Task { await store.waitForApply(after: 100) }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        #expect(await waiter.value == 0)
    }
}
