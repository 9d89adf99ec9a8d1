import Foundation
import Testing

/// What Swarm users rely on beyond plain services: stack files with mounts and container
/// settings, healthchecks that replace sick tasks, memory limits, and jobs.
@Suite(.serialized) struct SwarmParityTests {
    let orchestration = OrchestrationTests()

    static let stackFile = """
        version: "3.8"
        services:
          app:
            image: \(DockerEngineHarness.image)
            command: ["sleep", "1000"]
            init: true
            read_only: true
            stop_grace_period: 7s
            cap_add: [NET_ADMIN]
            sysctls:
              net.core.somaxconn: "1024"
            ulimits:
              nofile: {soft: 1024, hard: 2048}
            extra_hosts:
              - "db.local:10.1.2.3"
            logging:
              driver: json-file
              options: {max-size: "1m", max-file: "2"}
            volumes:
              - data:/data
              - ./shared:/shared:ro
              - type: tmpfs
                target: /scratch
                tmpfs: {size: 1048576}
        volumes:
          data:
            labels: {team: core}
        """

    @Test("a stack with named volumes, a bind mount, tmpfs, logging, extra_hosts, cap_add, sysctls, read_only, ulimits, init and stop_grace_period deploys with docker stack deploy and colmeia stack deploy, and the engine's containers carry every setting")
    func stackSettingsReachTheEngine() throws {
        let engine = try DockerEngineHarness.shared.get()
        let daemon = DaemonHarness()
        try daemon.start(executor: "docker", extraArguments: ["--docker-host", "unix://" + engine.socket])
        let directory = (daemon.dataDirectory as NSString).deletingLastPathComponent + "/stack"
        try FileManager.default.createDirectory(atPath: directory + "/shared", withIntermediateDirectories: true)
        try Self.stackFile.write(toFile: directory + "/stack.yml", atomically: true, encoding: .utf8)

        let viaDocker = try daemon.run("sh", ["-c", "cd '\(directory)' && docker stack deploy -c stack.yml dk"])
        #expect(viaDocker.status == 0, "\(viaDocker.stderr)")
        let colmeia = try DaemonHarness.executable("colmeia")
        let viaColmeia = try daemon.run("sh", ["-c", "cd '\(directory)' && '\(colmeia)' --host unix://\(daemon.socket) stack deploy -c stack.yml cm"])
        #expect(viaColmeia.status == 0, "\(viaColmeia.stderr)")

        for stack in ["dk", "cm"] {
            try orchestration.until("\(stack)_app runs") { try orchestration.running(daemon, "\(stack)_app").count == 1 }
            let container = try #require(try engine.containers(ofService: "\(stack)_app").first { $0.state == "running" })
            let inspect = try engine.docker(["inspect", container.id]).stdout
            let object = try #require((try JSONSerialization.jsonObject(with: Data(inspect.utf8)) as? [[String: Any]])?.first)
            let host = try #require(object["HostConfig"] as? [String: Any])
            let config = try #require(object["Config"] as? [String: Any])
            #expect(host["Init"] as? Bool == true, "\(stack): init")
            #expect(host["ReadonlyRootfs"] as? Bool == true, "\(stack): read_only")
            #expect(host["CapAdd"] as? [String] == ["CAP_NET_ADMIN"], "\(stack): cap_add")
            #expect((host["Sysctls"] as? [String: String])?["net.core.somaxconn"] == "1024", "\(stack): sysctls")
            let ulimits = host["Ulimits"] as? [[String: Any]] ?? []
            #expect(ulimits.contains { $0["Name"] as? String == "nofile" && $0["Soft"] as? Int == 1024 && $0["Hard"] as? Int == 2048 },
                    "\(stack): ulimits \(ulimits)")
            #expect(host["ExtraHosts"] as? [String] == ["db.local:10.1.2.3"], "\(stack): extra_hosts")
            let log = host["LogConfig"] as? [String: Any]
            #expect(log?["Type"] as? String == "json-file", "\(stack): logging driver")
            #expect((log?["Config"] as? [String: String]) == ["max-size": "1m", "max-file": "2"], "\(stack): logging options")
            #expect(config["StopTimeout"] as? Int == 7, "\(stack): stop_grace_period")
            let mounts = (object["Mounts"] as? [[String: Any]]) ?? []
            let byTarget = Dictionary(mounts.compactMap { mount in (mount["Destination"] as? String).map { ($0, mount) } },
                                      uniquingKeysWith: { first, _ in first })
            #expect(byTarget["/data"]?["Type"] as? String == "volume" && byTarget["/data"]?["Name"] as? String == "\(stack)_data",
                    "\(stack): named volume \(mounts)")
            #expect(byTarget["/shared"]?["Type"] as? String == "bind" && byTarget["/shared"]?["RW"] as? Bool == false,
                    "\(stack): read-only bind mount")
            #expect(byTarget["/shared"]?["Source"] as? String == URL(fileURLWithPath: directory + "/shared").standardizedFileURL.path)
            let tmpfs = (host["Mounts"] as? [[String: Any]] ?? []).first { $0["Target"] as? String == "/scratch" }
            #expect(tmpfs?["Type"] as? String == "tmpfs", "\(stack): tmpfs")
            let labels = try engine.docker(["volume", "inspect", "\(stack)_data", "--format", "{{json .Labels}}"]).stdout
            #expect(labels.contains(#""com.docker.stack.namespace":"\#(stack)""#) && labels.contains(#""team":"core""#),
                    "\(stack): volume labels \(labels)")
            // The root filesystem is read-only, the tmpfs and the volume are not.
            #expect(try engine.docker(["exec", container.id, "touch", "/root-file"]).status != 0)
            #expect(try engine.docker(["exec", container.id, "touch", "/scratch/file", "/data/file"]).status == 0)
        }
        try daemon.docker("stack", "rm", "dk")
        try daemon.docker("stack", "rm", "cm")
        try orchestration.until("the stacks' containers are gone") {
            try engine.containers(ofService: "dk_app").isEmpty && engine.containers(ofService: "cm_app").isEmpty
        }
    }

    @Test("a container whose healthcheck starts failing after 10 s is stopped, failed with Docker's words and replaced")
    func unhealthyContainerIsReplaced() throws {
        let engine = try DockerEngineHarness.shared.get()
        let daemon = DaemonHarness()
        try daemon.start(executor: "docker", extraArguments: ["--docker-host", "unix://" + engine.socket])
        try daemon.docker("service", "create", "--detach", "--name", "sick", "--restart-delay", "1s",
                          "--health-cmd", "test ! -f /sick", "--health-interval", "1s", "--health-retries", "2",
                          DockerEngineHarness.image, "sh", "-c", "sleep 10; touch /sick; sleep 1000")
        try orchestration.until("the task runs healthy") { try orchestration.running(daemon, "sick").count == 1 }
        let first = try #require(try orchestration.running(daemon, "sick").first)
        try orchestration.until("the sick task failed and a new one runs", timeout: 60) {
            let tasks = try orchestration.tasks(daemon, "sick")
            let failed = tasks.first { $0.ID == first.ID }
            return failed?.Status.State == "failed" && tasks.contains { $0.ID != first.ID && $0.Status.State == "running" }
        }
        let failed = try #require(try orchestration.tasks(daemon, "sick").first { $0.ID == first.ID })
        #expect(failed.Status.Err?.hasSuffix("dockerexec: unhealthy container") == true, "\(failed.Status.Err ?? "")")
        let ps = try daemon.docker("service", "ps", "--no-trunc", "sick")
        #expect(ps.contains("unhealthy container"), "docker service ps shows why: \(ps)")
        try daemon.docker("service", "rm", "sick")
    }

    @Test("a process task with a healthcheck and a memory limit is replaced when it turns unhealthy; one that outgrows its limit is killed (exit 137)")
    func processHealthcheckAndMemoryLimit() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "sick", "--restart-delay", "1s", "--limit-memory", "64M",
                          "--health-cmd", "test ! -f sick", "--health-interval", "1s", "--health-retries", "2",
                          "busybox", "sh", "-c", "sleep 10; touch sick; sleep 1000")
        try daemon.docker("service", "create", "--detach", "--name", "hungry", "--restart-condition", "none", "--limit-memory", "20M",
                          "busybox", "python3", "-c", "import time; x = bytearray(100 * 1024 * 1024); time.sleep(100)")
        try orchestration.until("the hungry task was killed at its limit", timeout: 30) {
            try orchestration.tasks(daemon, "hungry").contains { $0.Status.State == "failed" && $0.Status.Err == "task: non-zero exit (137)" }
        }
        try orchestration.until("the healthy task runs") { try orchestration.running(daemon, "sick").count == 1 }
        let first = try #require(try orchestration.running(daemon, "sick").first)
        try orchestration.until("the sick task failed and a new one runs", timeout: 60) {
            let tasks = try orchestration.tasks(daemon, "sick")
            return tasks.first { $0.ID == first.ID }?.Status.State == "failed"
                && tasks.contains { $0.ID != first.ID && $0.Status.State == "running" }
        }
        let failed = try #require(try orchestration.tasks(daemon, "sick").first { $0.ID == first.ID })
        #expect(failed.Status.Err?.hasSuffix("dockerexec: unhealthy container") == true, "\(failed.Status.Err ?? "")")
        for name in ["sick", "hungry"] { try daemon.docker("service", "rm", name) }
    }

    @Test("a replicated job of 6 completions with max-concurrent 2 never runs more than 2 at once and completes; service ls shows the counts as dockerd does; --force runs it again")
    func replicatedJob() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let watcher = ConcurrencyWatcher(daemon: daemon, service: "job")
        watcher.start()
        let created = try daemon.run("docker", ["service", "create", "--name", "job", "--mode", "replicated-job", "--replicas", "6",
                                                "--max-concurrent", "2", "busybox", "sh", "-c", "sleep 1"])
        watcher.stop()
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("job complete"), "the CLI followed the job to its end: \(created.stdout)")
        #expect(watcher.maximum <= 2 && watcher.maximum > 0, "at most 2 ran at once (saw \(watcher.maximum))")
        let ls = try daemon.docker("service", "ls", "--format", "{{.Name}} {{.Mode}} {{.Replicas}}")
        #expect(ls.contains("job replicated job 0/2 (6/6 completed)"), "\(ls)")
        let completed = try orchestration.tasks(daemon, "job").filter { $0.Status.State == "complete" }
        #expect(completed.count == 6)

        let rerun = try daemon.run("docker", ["service", "update", "--force", "job"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        try orchestration.until("the job ran again") {
            try daemon.docker("service", "ls", "--format", "{{.Replicas}}").contains("(6/6 completed)")
                && orchestration.tasks(daemon, "job").filter { $0.Status.State == "complete" }.count > 6
        }
        try daemon.docker("service", "rm", "job")
    }

    @Test("a global job runs once on every node and service ls shows it completed")
    func globalJob() throws {
        let (managers, workers, _) = try MultiManagerTests.swarm(managers: 1, workers: 2)
        let manager = managers[0]
        let created = try manager.run("docker", ["service", "create", "--name", "once", "--mode", "global-job", "busybox", "true"])
        #expect(created.status == 0, "\(created.stderr)")
        try MultiManagerTests.eventually("the global job completed on all 3 nodes", timeout: 30, showingLogsOf: managers + workers) {
            try manager.docker("service", "ls", "--format", "{{.Replicas}}").contains("0/0 (3/3 completed)")
        }
        let nodes = try manager.docker("service", "ps", "once", "--format", "{{.Node}} {{.CurrentState}}").split(separator: "\n")
        #expect(nodes.count == 3 && nodes.allSatisfy { $0.contains("Complete") }, "\(nodes)")
        #expect(Set(nodes.map { $0.split(separator: " ")[0] }).count == 3, "one task per node")
    }
}

/// Polls a service's tasks and keeps the largest number seen running (or about to) at once.
final class ConcurrencyWatcher: @unchecked Sendable {
    private let daemon: DaemonHarness
    private let service: String
    private let lock = NSLock()
    private var highest = 0
    private var running = true
    private var thread: Thread?

    init(daemon: DaemonHarness, service: String) {
        self.daemon = daemon
        self.service = service
    }

    var maximum: Int {
        lock.lock()
        defer { lock.unlock() }
        return highest
    }

    func start() {
        let thread = Thread { [self] in
            while isRunning {
                let active = ((try? OrchestrationTests().tasks(daemon, service)) ?? []).filter {
                    ["assigned", "accepted", "preparing", "starting", "running"].contains($0.Status.State)
                }.count
                lock.lock()
                highest = max(highest, active)
                lock.unlock()
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        self.thread = thread
        thread.start()
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    func stop() {
        lock.lock()
        running = false
        lock.unlock()
    }
}
