import ColmeiaModel
import Foundation
import Testing

/// The steps Swarm tutorials walk through (init, replicas, ls/ps, scale, rolling update,
/// drain, constraints, secrets, global mode, stack deploy), done with `colmeia`.
@Suite(.serialized) struct SeedScenarioTests {
    @Test("init, create with replicas (progress lines), ls/ps, scale, update image with parallelism and delay, rollback")
    func tutorial() async throws {
        let daemon = CLIHarness()
        try await daemon.start(initialize: false)
        let initialized = try daemon.colmeia("swarm", "init", "--advertise-addr", "127.0.0.1")
        #expect(initialized.hasPrefix("Swarm initialized: current node ("))
        #expect(initialized.contains(") is now a manager."))
        #expect(initialized.contains("colmeia swarm join --token SWMTKN-1-"))

        // Not a terminal: progress comes as plain lines, and ends converged.
        let created = try daemon.colmeia("service", "create", "--replicas", "3", "--name", "webservers", "--update-monitor", "1s",
                                         "busybox", "sleep", "300")
        #expect(created.contains("overall progress: 3 out of 3 tasks"))
        #expect(created.contains("3/3: running"))
        #expect(created.hasSuffix("verify: Service converged\n"))
        #expect(!created.contains("\u{1B}["))
        #expect(try daemon.colmeia("service", "ls", "--format", "{{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}")
            == "webservers replicated 3/3 busybox\n")
        #expect(try daemon.runningTasks("webservers").map { $0["Name"] } == ["webservers.1", "webservers.2", "webservers.3"])

        let scaled = try daemon.colmeia("service", "scale", "webservers=6")
        #expect(scaled.hasPrefix("webservers scaled to 6\n"))
        #expect(scaled.contains("overall progress: 6 out of 6 tasks") && scaled.hasSuffix("verify: Service converged\n"))
        #expect(try daemon.runningTasks("webservers").count == 6)

        let updated = try daemon.colmeia("service", "update", "--image", "busybox:2", "--update-parallelism", "2",
                                         "--update-delay", "1s", "webservers")
        #expect(updated.hasPrefix("webservers\n") && updated.hasSuffix("verify: Service converged\n"))
        let running = try daemon.runningTasks("webservers")
        #expect(running.count == 6 && running.allSatisfy { $0["Image"] == "busybox:2" })
        let history = try daemon.colmeia("service", "ps", "webservers")
        #expect(history.contains(" \\_ webservers.1") && history.contains("Shutdown"))
        let inspected = try JSONDecoder().decode([Service].self, from: Data(try daemon.colmeia("service", "inspect", "webservers").utf8))
        #expect(inspected.first?.spec.updateConfig?.parallelism == 2)
        #expect(inspected.first?.spec.updateConfig?.delay == 1_000_000_000)

        let rolledBack = try daemon.colmeia("service", "rollback", "webservers")
        #expect(rolledBack.contains("rollback: manually requested rollback") && rolledBack.hasSuffix("verify: Service converged\n"))
        #expect(try daemon.runningTasks("webservers").allSatisfy { $0["Image"] == "busybox" })
    }

    @Test("drain the node and make it active again; add and remove a constraint no node meets")
    func drainAndConstraints() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        try daemon.colmeia("service", "create", "-d", "--name", "web", "--replicas", "2", "busybox", "sleep", "300")
        try await daemon.until("2 tasks run") { try daemon.runningTasks("web").count == 2 }
        let node = try daemon.colmeia("node", "ls", "-q").trimmingCharacters(in: .whitespacesAndNewlines)

        #expect(try daemon.colmeia("node", "update", "--availability", "drain", node) == node + "\n")
        #expect(try daemon.jsonRows("node", "ls", "--format", "json").first?["Availability"] == "Drain")
        try await daemon.until("nothing runs on the drained node") { try daemon.runningTasks("web").isEmpty }
        try await daemon.until("the replacements wait with the scheduler's reason") {
            try daemon.colmeia("service", "ps", "--no-trunc", "web").contains("no suitable node (1 node not available for new tasks)")
        }
        try daemon.colmeia("node", "update", "--availability", "active", node)
        try await daemon.until("2 tasks run again") { try daemon.runningTasks("web").count == 2 }

        try daemon.colmeia("service", "update", "-d", "--constraint-add", "node.role==worker", "web")
        #expect(try daemon.colmeia("service", "inspect", "-f", "{{json .Spec.TaskTemplate.Placement.Constraints}}", "web")
            == "[\"node.role==worker\"]\n")
        // One node, a manager: the rolling update stops a task whose replacement waits for a worker.
        try await daemon.until("a task waits for a worker") {
            try daemon.colmeia("service", "ps", "--no-trunc", "web").contains("scheduling constraints not satisfied")
        }
        try daemon.colmeia("service", "update", "-d", "--constraint-rm", "node.role==worker", "web")
        try await daemon.until("2 tasks run without the constraint") {
            try daemon.runningTasks("web").count == 2
                && !(try daemon.colmeia("service", "ps", "--filter", "desired-state=running", "web").contains("Pending"))
        }
    }

    @Test("a secret created from stdin reaches the service's tasks; global mode runs one task per node")
    func secretAndGlobal() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        try daemon.colmeia("secret", "create", "db_password", "-", stdin: "pa55word")
        try daemon.colmeia("service", "create", "-d", "--name", "app", "--secret", "db_password",
                           "busybox", "sh", "-c", "echo secret=$(cat $COLMEIA_SECRETS_DIR/db_password); sleep 300")
        try await daemon.until("the task printed its secret") {
            try daemon.colmeia("service", "logs", "--raw", "app").contains("secret=pa55word")
        }
        let references = try daemon.colmeia("service", "inspect", "-f", "{{json .Spec.TaskTemplate.ContainerSpec.Secrets}}", "app")
        #expect(references.contains("\"SecretName\":\"db_password\""))
        let inUse = try daemon.colmeiaFails("secret", "rm", "db_password")
        #expect(inUse.stderr.contains("in use by"))

        try daemon.colmeia("service", "create", "-d", "--name", "agent", "--mode", "global", "busybox", "sleep", "300")
        let node = try daemon.colmeia("node", "ls", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        try await daemon.until("the global task runs") { try daemon.runningTasks("agent").count == 1 }
        #expect(try daemon.runningTasks("agent").first?["Name"] == "agent.\(node)")
        #expect(try daemon.colmeia("service", "ls", "--filter", "name=agent", "--format", "{{.Mode}} {{.Replicas}}") == "global 1/1\n")
        let scale = try daemon.colmeiaFails("service", "scale", "agent=3")
        #expect(scale.stderr == "scale can only be used with replicated or replicated-job mode\n")
    }

    @Test("stack deploy of a compose v3 file with deploy, secrets, configs and networks; redeploy updates; rm removes all")
    func stackDeploy() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        try "s3cret".write(toFile: daemon.base + "/pw.txt", atomically: true, encoding: .utf8)
        try """
            version: "3.8"
            services:
              web:
                image: busybox:${TAG:-1}
                command: ["sh", "-c", "cat $$COLMEIA_SECRETS_DIR/db_password; sleep 300"]
                networks: [front]
                ports: ["18081:80"]
                secrets: [db_password]
                configs: [site]
                deploy:
                  replicas: 2
                  update_config: {parallelism: 1, delay: 1s}
                  restart_policy: {condition: any}
              agent:
                image: busybox
                command: sleep 300
                deploy:
                  mode: global
            networks:
              front:
                driver: overlay
            secrets:
              db_password:
                file: ./pw.txt
            configs:
              site:
                file: ./pw.txt
            """.write(toFile: daemon.base + "/stack.yml", atomically: true, encoding: .utf8)
        let deployed = try daemon.colmeia("stack", "deploy", "--compose-file", daemon.base + "/stack.yml", "demo")
        #expect(deployed.contains("Creating network demo_front") && deployed.contains("Creating network demo_default"))
        #expect(deployed.contains("Creating secret demo_db_password") && deployed.contains("Creating config demo_site"))
        #expect(deployed.contains("Creating service demo_web") && deployed.contains("Creating service demo_agent"))
        #expect(try daemon.colmeia("stack", "ls") == "NAME      SERVICES\ndemo      2\n")
        try await daemon.until("3 tasks run") { try daemon.colmeia("stack", "ps", "--filter", "desired-state=running", "-q", "demo")
            .split(separator: "\n").count == 3 && !(try daemon.colmeia("stack", "ps", "demo").contains("Preparing")) }
        let services = try daemon.colmeia("stack", "services", "demo")
        #expect(services.contains("demo_web     replicated   ") && services.contains("busybox:1   *:18081->80/tcp"))
        #expect(services.contains("demo_agent   global"))
        let web = try JSONDecoder().decode([Service].self, from: Data(try daemon.colmeia("service", "inspect", "demo_web").utf8))
        #expect(web.first?.spec.labels["com.docker.stack.namespace"] == "demo")
        #expect(web.first?.spec.taskTemplate.containerSpec?.secrets.first?.secretName == "demo_db_password")
        #expect(web.first?.spec.updateConfig?.delay == 1_000_000_000)

        let redeployed = try daemon.run(["stack", "deploy", "-c", daemon.base + "/stack.yml", "demo"], environment: ["TAG": "2"])
        #expect(redeployed.status == 0)
        #expect(redeployed.stdout.contains("Updating service demo_web (id: "))
        #expect(try daemon.colmeia("service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", "demo_web") == "busybox:2\n")

        let removed = try daemon.colmeia("stack", "rm", "demo")
        #expect(removed.contains("Removing service demo_web") && removed.contains("Removing network demo_front"))
        #expect(removed.contains("Removing secret demo_db_password") && removed.contains("Removing config demo_site"))
        #expect(try daemon.colmeia("stack", "ls") == "NAME      SERVICES\n")
    }
}
