import ArgumentParser
import ColmeiaNode
import ColmeiaStore
import Foundation

/// Proposes service creates from many tasks and prints one `ack <command-id> <raft-index>`
/// line per applied command, flushed at once, until killed — the crash tests kill it with
/// SIGKILL and check that every acknowledged command survived exactly once.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write load for crash tests; prints acks until killed.")

    @Option(help: "The node's data directory.") var dataDir: String
    @Option(help: "Concurrent proposers.") var proposers = 32
    @Option(help: "Stop after this many commands (0: run until killed).") var limit = 0

    func run() async throws {
        let node = try ClusterNode(dataDirectory: dataDir, nodeID: 1, snapshotInterval: 200)
        try node.start(bootstrap: true)
        let maker = CommandMaker(prefix: "load-\(getpid())")
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<proposers {
                group.addTask {
                    var number = worker
                    while limit == 0 || number < limit {
                        let command = maker.serviceCreate(number)
                        if case .applied(let index) = try? await node.propose(command) {
                            let line = "ack \(command.envelope.id) \(index)\n"
                            FileHandle.standardOutput.write(Data(line.utf8))
                        }
                        number += proposers
                    }
                }
            }
        }
        node.stop()
    }
}
