import ArgumentParser
import ColmeiaModel
import ColmeiaNode
import ColmeiaPKI
import ColmeiaStore
import Foundation

/// Time to serve again after a restart: with `state.db` kept (a manager's read models
/// stay on disk, sealed under its data key), and rebuilt from the Raft log alone (the
/// store is a cache of the log).
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time to the first linearizable read after a restart with an N-event log: state.db kept, and rebuilt.")

    @Option(help: "Events in the log.") var events = 100_000
    @Option(help: "Events per command (one service plus its tasks).") var eventsPerCommand = 10

    func run() async throws {
        let directory = temporaryDirectory("rebuild")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // No snapshot during the build-up: the rebuild replays the whole WAL. Encrypted, as
        // a manager's log and read models are.
        let key = DataEncryptionKey()
        let writer = try ClusterNode(dataDirectory: directory, nodeID: 1, snapshotInterval: .max, dataKey: key)
        try writer.start(bootstrap: true)
        let maker = CommandMaker(prefix: "r")
        let commands = max(1, events / eventsPerCommand)
        let clock = ContinuousClock()
        let writeStart = clock.now
        for batch in stride(from: 0, to: commands, by: 256) {
            await withTaskGroup(of: Void.self) { group in
                for number in batch..<min(commands, batch + 256) {
                    group.addTask { _ = try? await writer.propose(maker.serviceCreate(number, tasks: eventsPerCommand - 1)) }
                }
            }
        }
        let written = clock.now - writeStart
        let lastIndex = writer.store.applied.index
        let audited = try writer.store.audit(AuditQuery(limit: 1)).records.isEmpty ? 0 : commands * eventsPerCommand
        writer.stop()
        print("log: \(commands) commands, \(audited) events, raft index \(lastIndex), written in \(milliseconds(written)) ms")

        // A restart (or a reboot: nothing of it is in memory) with state.db kept.
        let restartStart = clock.now
        let restarted = try ClusterNode(dataDirectory: directory, nodeID: 1, snapshotInterval: .max, dataKey: key)
        try restarted.start(bootstrap: true)
        try await restarted.readBarrier()
        let services = try restarted.store.list(Service.self).count
        let restartedIn = clock.now - restartStart
        print("restart with state.db kept: first linearizable read (\(services) services) after \(milliseconds(restartedIn)) ms; \(restarted.openingReport)")
        restarted.stop()
        try await Task.sleep(for: .milliseconds(200))

        for file in ["state.db", "state.db-wal", "state.db-shm"] {
            try? FileManager.default.removeItem(atPath: directory + "/" + file)
        }
        let rebuildStart = clock.now
        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, snapshotInterval: .max, dataKey: key)
        try node.start(bootstrap: true)
        while node.store.applied.index < lastIndex {
            _ = await node.store.waitForApply(after: node.store.applied.index)
        }
        let rebuilt = clock.now - rebuildStart
        node.stop()
        let perSecond = Double(commands * eventsPerCommand) / (Double(rebuilt.components.seconds) + Double(rebuilt.components.attoseconds) / 1e18)
        print(String(format: "rebuild of state.db from the WAL: %@ ms (%.0f events/s)", milliseconds(rebuilt), perSecond))
    }
}
