import Foundation
import Testing

@Suite(.serialized) struct SwarmAndNodeTests {
    @Test("swarm update, join-token rotation, node update; a manager cannot be removed")
    func swarmAndNodes() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let token = try daemon.docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("SWMTKN-1-"))
        try daemon.docker("swarm", "join-token", "--rotate", "worker")
        let rotated = try daemon.docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(rotated != token && rotated.hasPrefix("SWMTKN-1-"))

        try daemon.docker("swarm", "update", "--task-history-limit", "10")
        #expect(try daemon.docker("info").contains("Task History Retention Limit: 10"))

        let nodeID = try daemon.docker("node", "ls", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        try daemon.docker("node", "update", "--label-add", "az=a", "--availability", "drain", nodeID)
        #expect(try daemon.docker("node", "inspect", "--format", "{{.Spec.Labels.az}} {{.Spec.Availability}}", "self")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "a drain")
        #expect(try daemon.docker("node", "ls", "--filter", "node.label=az=a", "-q").contains(nodeID))

        let refused = try daemon.dockerFails("node", "rm", nodeID)
        #expect(refused.contains("is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal"))

        let leave = try daemon.dockerFails("swarm", "leave")
        #expect(leave.contains("Use `--force` to ignore this message"))
        try daemon.docker("swarm", "leave", "--force")
        #expect(try daemon.docker("info").contains("Swarm: inactive"))
        let notManager = try daemon.dockerFails("service", "ls")
        #expect(notManager.contains("This node is not a swarm manager."))
        daemon.stop()
    }

    /// `docker node update` sends the version it read: a node record that moves on its own
    /// (a late report of the node's certificate, an agent registering again unchanged) makes
    /// it fail with `update out of sequence`.
    @Test("a new swarm's node carries its TLS state from the start and its version stays put until it changes")
    func nodeVersionIsStable() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let format = "{{.Version.Index}} {{len .Description.TLSInfo.CertIssuerSubject}}"
        let first = try daemon.docker("node", "inspect", "--format", format, "self").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(first.split(separator: " ").last != "0")
        // The node reports its certificate's issuer within a second or two of starting.
        Thread.sleep(forTimeInterval: 3)
        #expect(try daemon.docker("node", "inspect", "--format", format, "self").trimmingCharacters(in: .whitespacesAndNewlines) == first)
        daemon.stop()
    }
}

@Suite(.serialized) struct ServiceDefaultsTests {
    @Test("insertDefaults writes out SwarmKit's defaults; rollback=previous restores the previous spec")
    func insertDefaultsAndRollback() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2", "nginx:alpine")
        let plain = try daemon.http("GET", "/services/web").body
        #expect(!plain.contains("\"UpdateConfig\""))
        let filled = try daemon.http("GET", "/services/web?insertDefaults=true").body
        for fragment in ["\"FailureAction\":\"pause\"", "\"Order\":\"stop-first\"", "\"Condition\":\"any\"",
                         "\"StopGracePeriod\":10000000000", "\"Mode\":\"vip\""] {
            #expect(filled.contains(fragment), "\(fragment) in \(filled)")
        }
        try daemon.docker("service", "update", "--detach", "--replicas", "4", "web")
        try daemon.docker("service", "rollback", "--detach", "web")
        #expect(try daemon.docker("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", "web")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        daemon.stop()
    }
}
