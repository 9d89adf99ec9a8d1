import Foundation
import Testing

/// The stock docker CLI against a real colmeiad: what a Swarm user types must work.
@Suite(.serialized) struct DockerCLITests {
    @Test("docker info, node ls, service, secret, config and network commands; everything survives a restart")
    func dockerCLIWorkflow() throws {
        let daemon = DaemonHarness()
        try daemon.start()

        let info = try daemon.docker("info")
        #expect(info.contains("Swarm: active"))
        #expect(info.contains("Is Manager: true"))
        #expect(info.contains("Task History Retention Limit: 5"))

        let nodes = try daemon.docker("node", "ls")
        let nodeLine = try #require(nodes.split(separator: "\n").dropFirst().first)
        for word in ["*", "colmeia-test", "Ready", "Active", "Leader"] {
            #expect(nodeLine.contains(word), "node ls line: \(nodeLine)")
        }

        let created = try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "3",
                                        "--publish", "8080:80", "nginx:alpine")
        #expect(created.trimmingCharacters(in: .whitespacesAndNewlines).count == 25)
        let listed = try daemon.docker("service", "ls")
        #expect(listed.contains("web"))
        #expect(listed.contains("0/3"))
        #expect(listed.contains("*:8080->80/tcp"))
        #expect(try daemon.docker("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", "web")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "3")

        try daemon.docker("service", "update", "--detach", "--replicas", "5", "web")
        #expect(try daemon.docker("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", "web")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "5")
        try daemon.docker("service", "scale", "--detach", "web=2")
        #expect(try daemon.docker("service", "ls").contains("0/2"))
        #expect(try daemon.docker("service", "inspect", "--format", "{{.PreviousSpec.Mode.Replicated.Replicas}}", "web")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "5")

        let conflict = try daemon.dockerFails("service", "create", "--detach", "--name", "api", "--publish", "8080:80", "nginx:alpine")
        #expect(conflict.contains("port '8080' is already in use by service 'web'"))

        try daemon.docker("secret", "create", "--label", "env=prod", "db-password", "-", stdin: "hunter2")
        #expect(try daemon.docker("secret", "ls").contains("db-password"))
        let secret = try daemon.docker("secret", "inspect", "db-password")
        #expect(secret.contains("\"env\": \"prod\""))
        #expect(!secret.contains("Data"), "secret data is never returned")
        try daemon.docker("config", "create", "app-config", "-", stdin: "key=value")
        #expect(try daemon.docker("config", "ls").contains("app-config"))
        try daemon.docker("network", "create", "-d", "overlay", "--attachable", "backend")
        let networks = try daemon.docker("network", "ls")
        #expect(networks.contains("backend"))
        #expect(networks.contains("ingress"))

        let before = try daemon.docker("service", "inspect", "web")
        let secretsBefore = try daemon.docker("secret", "ls", "--format", "{{.ID}} {{.Name}}")
        #expect(daemon.stop() == 0, "SIGTERM stops colmeiad cleanly")
        try daemon.start(initialize: false)
        #expect(try daemon.docker("service", "inspect", "web") == before)
        #expect(try daemon.docker("secret", "ls", "--format", "{{.ID}} {{.Name}}") == secretsBefore)
        #expect(try daemon.docker("network", "ls").contains("backend"))
        #expect(try daemon.docker("config", "ls").contains("app-config"))

        try daemon.docker("network", "rm", "backend")
        try daemon.docker("config", "rm", "app-config")
        try daemon.docker("secret", "rm", "db-password")
        try daemon.docker("service", "rm", "web")
        #expect(!(try daemon.docker("service", "ls")).contains("web"))
        #expect(!(try daemon.docker("secret", "ls")).contains("db-password"))
        daemon.stop()
    }

    @Test("a secret in use by a service cannot be removed")
    func secretInUse() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("secret", "create", "token", "-", stdin: "s3cr3t")
        try daemon.docker("service", "create", "--detach", "--name", "uses-token", "--secret", "token", "nginx:alpine")
        let refused = try daemon.dockerFails("secret", "rm", "token")
        #expect(refused.contains("secret 'token' is in use by the following service: uses-token"))
        daemon.stop()
    }
}
