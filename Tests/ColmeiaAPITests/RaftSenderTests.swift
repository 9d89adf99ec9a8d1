import ColmeiaNode
import ColmeiaRaft
import ColmeiaRaftStorage
import Foundation
import Testing
@testable import ColmeiaCluster

/// `POST /raft/messages` on the cluster port takes a peer's messages only in its own name.
@Suite(.serialized) struct RaftSenderTests {
    @Test("a known member speaks only under its own Raft id; unknown peers and ids are left to the certificate")
    func senderCheck() {
        let check = RaftSenderCheck(members: [1: "node-a", 2: "node-b"])
        #expect(check.allows("node-a", toClaim: 1))
        #expect(!check.allows("node-a", toClaim: 2), "another member's id")
        #expect(!check.allows("node-a", toClaim: 3), "an id the store does not know, from a known member")
        #expect(!check.allows("node-c", toClaim: 1), "a known id from a peer the store does not know")
        #expect(check.allows("node-c", toClaim: 3), "a store still catching up judges by the certificate")
        let batch = [Message(type: .heartbeat, to: 2, from: 1), Message(type: .append, to: 2, from: 2)]
        #expect(check.forged(batch, by: "node-a")?.from == 2)
        #expect(check.forged(Array(batch.prefix(1)), by: "node-a") == nil)
    }

    @Test("the cluster port refuses Raft messages whose from is not the certificate's node, with 403 and a log line")
    func forgedSenderRefused() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        defer { daemon.stop() }
        let certificates = daemon.dataDirectory + "/certificates"
        let tls = ["-sk", "--cert", certificates + "/swarm-node.crt", "--key", certificates + "/swarm-node.key"]
        let url = "https://\(daemon.listenAddress)"
        let status = try daemon.run("curl", tls + ["\(url)/raft/status"])
        let own = try JSONDecoder().decode(PeerStatus.self, from: Data(status.stdout.utf8)).id
        #expect(own != 0, "raft status: \(status.stdout) \(status.stderr)")

        func post(from: UInt64) throws -> String {
            // Addressed to nobody (to 0): the node drops what it accepts.
            let file = FileManager.default.temporaryDirectory.path + "/raft-batch-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: file) }
            try Data(MessageBatch.encode([Message(type: .heartbeat, to: 0, from: from)])).write(to: URL(fileURLWithPath: file))
            let output = try daemon.run("curl", tls + ["-w", "\n%{http_code}", "-H", "Content-Type: application/octet-stream",
                                                      "--data-binary", "@" + file, "\(url)/raft/messages"])
            return output.stdout
        }
        #expect(try post(from: own).hasSuffix("\n204"))
        let forged = try post(from: own &+ 1)
        #expect(forged.hasSuffix("\n403"), "\(forged)")
        #expect(forged.contains("in the name of member \(own &+ 1)"), "\(forged)")
        #expect(daemon.logText.contains("refused Raft messages sent in another member's name"))
    }
}
