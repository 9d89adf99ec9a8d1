import Foundation
import Testing

/// Tasks as real containers: colmeiad `--executor docker` against a private Docker engine,
/// driven by the stock docker CLI.
@Suite(.serialized) final class DockerExecutorTests {
    let orchestration = OrchestrationTests()
    /// The daemons a test started: at its end they stop and their containers are removed
    /// from the shared engine, where later suites count containers by service name.
    private var started: [DaemonHarness] = []

    deinit {
        guard let engine = try? DockerEngineHarness.shared.get() else { return }
        DockerMeshTests.tearDown(started, engine)
    }

    func engine() throws -> DockerEngineHarness {
        try DockerEngineHarness.shared.get()
    }

    func daemon(_ engine: DockerEngineHarness) throws -> DaemonHarness {
        let daemon = DaemonHarness()
        try daemon.start(executor: "docker", extraArguments: ["--docker-host", "unix://" + engine.socket])
        started.append(daemon)
        return daemon
    }

    @Test("3 replicas become 3 labelled containers; a killed container fails its task and is replaced; update swaps images; a daemon killed with SIGKILL and restarted adopts them")
    func lifecycle() throws {
        let engine = try engine()
        let daemon = try daemon(engine)
        let created = try daemon.docker("service", "create", "--name", "web", "--replicas", "3", "--restart-delay", "1s",
                                        DockerEngineHarness.image, "sleep", "1000")
        #expect(created.contains("converged"))
        var containers = try engine.containers(ofService: "web").filter { $0.state == "running" }
        #expect(containers.count == 3)
        let serviceID = try daemon.docker("service", "inspect", "web", "--format", "{{.ID}}").trimmingCharacters(in: .whitespacesAndNewlines)
        let nodeID = try daemon.docker("node", "ls", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        let tasks = try orchestration.running(daemon, "web")
        for task in tasks {
            let labels = try engine.docker(["inspect", "--format", "{{json .Config.Labels}}", "web.\(task.Slot ?? 0).\(task.ID)"])
            #expect(labels.stdout.contains(#""com.docker.swarm.service.id":"\#(serviceID)""#))
            #expect(labels.stdout.contains(#""com.docker.swarm.service.name":"web""#))
            #expect(labels.stdout.contains(#""com.docker.swarm.task.id":"\#(task.ID)""#))
            #expect(labels.stdout.contains(#""com.docker.swarm.task.name":"web.\#(task.Slot ?? 0).\#(task.ID)""#))
            #expect(labels.stdout.contains(#""com.docker.swarm.node.id":"\#(nodeID)""#))
        }

        let victim = containers[0]
        #expect(try engine.docker(["rm", "-f", victim.id]).status == 0)
        try orchestration.until("the killed task failed and was replaced") {
            let all = try orchestration.tasks(daemon, "web")
            let running = try orchestration.running(daemon, "web")
            return all.contains { $0.Status.State == "failed" && $0.Status.Err == "task: non-zero exit (137)" }
                && running.count == 3
        }

        try daemon.docker("service", "update", "--image", DockerEngineHarness.otherImage, "--update-parallelism", "0", "web")
        containers = try engine.containers(ofService: "web").filter { $0.state == "running" }
        #expect(containers.count == 3)
        #expect(containers.allSatisfy { $0.image == DockerEngineHarness.otherImage })

        let before = Set(containers.map(\.id))
        daemon.killHard()
        #expect(Set(try engine.containers(ofService: "web").filter { $0.state == "running" }.map(\.id)) == before,
                "containers keep running while the daemon is down")
        try daemon.start(initialize: false, executor: "docker", extraArguments: ["--docker-host", "unix://" + engine.socket])
        Thread.sleep(forTimeInterval: 2)
        #expect(Set(try engine.containers(ofService: "web").filter { $0.state == "running" }.map(\.id)) == before,
                "the restarted daemon adopts the containers instead of starting new ones")
        #expect(try orchestration.running(daemon, "web").count == 3)
        try daemon.docker("service", "rm", "web")
        try orchestration.until("the service's containers are removed") { try engine.containers(ofService: "web").isEmpty }
    }

    @Test("a secret is readable at /run/secrets/NAME inside the containers; service logs show every replica")
    func secretsAndLogs() throws {
        let engine = try engine()
        let daemon = try daemon(engine)
        try daemon.docker("secret", "create", "db-password", "-", stdin: "hunter2")
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2", "--secret", "db-password",
                          DockerEngineHarness.image, "sh", "-c", #"echo "password=$(cat /run/secrets/db-password)"; sleep 1000"#)
        try orchestration.until("2 tasks run") { try orchestration.running(daemon, "web").count == 2 }
        var logs = ""
        try orchestration.until("both replicas logged") {
            logs = try daemon.docker("service", "logs", "web")
            return logs.components(separatedBy: "password=hunter2").count == 3
        }
        for task in try orchestration.running(daemon, "web") {
            #expect(logs.contains("web.\(task.Slot ?? 0).\(task.ID.prefix(12))@colmeia-test    | password=hunter2"))
        }
        let followed = try daemon.run("timeout", ["3", "docker", "service", "logs", "--follow", "--timestamps", "web"])
        #expect(followed.status == 124)
        #expect(followed.stdout.contains("password=hunter2"))
        // Read-only, and only on this node because a task here uses it.
        let container = try engine.containers(ofService: "web")[0]
        let write = try engine.docker(["exec", container.id, "sh", "-c", "echo x > /run/secrets/db-password"])
        #expect(write.status != 0)
        try daemon.docker("service", "rm", "web")
        try orchestration.until("the containers are gone") { try engine.containers(ofService: "web").isEmpty }
    }

    @Test("a missing image, a missing command and an instant exit give clear errors, are retried, and block nothing")
    func failures() throws {
        let engine = try engine()
        let daemon = try daemon(engine)
        try daemon.docker("service", "create", "--detach", "--name", "noimage", "--restart-delay", "1s",
                          "colmeia-test/does-not-exist:1", "sleep", "1000")
        try daemon.docker("service", "create", "--detach", "--name", "nocommand", "--restart-delay", "1s",
                          DockerEngineHarness.image, "no-such-command")
        try daemon.docker("service", "create", "--detach", "--name", "quick", "--restart-delay", "1s",
                          DockerEngineHarness.image, "sh", "-c", "exit 7")
        // More replicas than an HTTP client's default connections per host: each running
        // container holds one open on /wait.
        try daemon.docker("service", "create", "--detach", "--name", "fine", "--replicas", "12", DockerEngineHarness.image,
                          "sleep", "1000")
        try orchestration.until("the missing image was rejected twice", timeout: 60) {
            try orchestration.tasks(daemon, "noimage").filter { $0.Status.State == "rejected" && !($0.Status.Err ?? "").isEmpty }.count >= 2
        }
        try orchestration.until("the missing command failed twice") {
            try orchestration.tasks(daemon, "nocommand").filter {
                ($0.Status.Err ?? "").hasPrefix("starting container failed:") && ($0.Status.Err ?? "").contains("no-such-command")
            }.count >= 2
        }
        try orchestration.until("the instant exit failed twice") {
            try orchestration.tasks(daemon, "quick").filter { $0.Status.Err == "task: non-zero exit (7)" }.count >= 2
        }
        try orchestration.until("the fine service runs") { try orchestration.running(daemon, "fine").count == 12 }
        for name in ["noimage", "nocommand", "quick", "fine"] { try daemon.docker("service", "rm", name) }
    }

    @Test("an update to an image that cannot be pulled rolls back by itself with --update-failure-action rollback")
    func failingImageRollsBack() throws {
        let engine = try engine()
        let daemon = try daemon(engine)
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2", DockerEngineHarness.image,
                          "sleep", "1000")
        try orchestration.until("2 tasks run") { try orchestration.running(daemon, "web").count == 2 }
        try daemon.docker("service", "update", "--detach", "--image", "colmeia-test/broken:9", "--update-failure-action",
                          "rollback", "web")
        try orchestration.until("the update rolled back", timeout: 60) {
            let state = try daemon.docker("service", "inspect", "web", "--format", "{{.UpdateStatus.State}}")
            return state.trimmingCharacters(in: .whitespacesAndNewlines) == "rollback_completed"
        }
        let message = try daemon.docker("service", "inspect", "web", "--format", "{{.UpdateStatus.Message}}")
        #expect(message.contains("rollback completed"))
        #expect(try orchestration.tasks(daemon, "web").contains { $0.Status.State == "rejected" && $0.Spec.ContainerSpec?.Image == "colmeia-test/broken:9" })
        let containers = try engine.containers(ofService: "web").filter { $0.state == "running" }
        let ps = try daemon.docker("service", "ps", "web")
        #expect(containers.count == 2 && containers.allSatisfy { $0.image == DockerEngineHarness.image }, "\(containers) \(ps)")
        try daemon.docker("service", "rm", "web")
    }
}
