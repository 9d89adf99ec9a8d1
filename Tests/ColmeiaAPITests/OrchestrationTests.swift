import ColmeiaModel
import Foundation
import Testing

/// Services reconciled by a real colmeiad (process executor), driven by the stock docker CLI.
@Suite(.serialized) struct OrchestrationTests {
    struct TaskRow: Decodable {
        var ID: String
        var Slot: Int?
        var DesiredState: String
        var CreatedAt: String
        var Status: Status
        var Spec: Spec

        struct Status: Decodable {
            var State: String
            var Err: String?
        }

        struct Spec: Decodable {
            var ContainerSpec: Container?
        }

        struct Container: Decodable {
            var Image: String?
            var Args: [String]?
        }
    }

    func tasks(_ daemon: DaemonHarness, _ service: String) throws -> [TaskRow] {
        let filters = #"{"service":["\#(service)"]}"#
        let output = try daemon.curl(["-s", "-G", "http://localhost/tasks", "--data-urlencode", "filters=\(filters)"])
        return try JSONDecoder().decode([TaskRow].self, from: Data(output.stdout.utf8))
    }

    func running(_ daemon: DaemonHarness, _ service: String) throws -> [TaskRow] {
        try tasks(daemon, service).filter { $0.DesiredState == "running" && $0.Status.State == "running" }
    }

    func until(_ what: String, timeout: TimeInterval = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw HarnessError("timed out waiting until \(what)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    @Test("create shows progress and converges; scale 1→6→2 keeps slot numbers")
    func createAndScale() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let created = try daemon.docker("service", "create", "--name", "web", "--restart-delay", "1s", "busybox", "sleep", "1000")
        #expect(created.contains("overall progress: 1 out of 1 tasks"))
        #expect(created.contains("verify: Service") && created.contains("converged"))
        #expect(try running(daemon, "web").map(\.Slot) == [1])

        try daemon.docker("service", "scale", "web=6")
        #expect(Set(try running(daemon, "web").compactMap(\.Slot)) == Set(1...6))
        let replicas = try daemon.docker("service", "ls", "--format", "{{.Name}} {{.Replicas}}")
        #expect(replicas.contains("web 6/6"))

        try daemon.docker("service", "scale", "web=2")
        try until("only slots 1 and 2 run") { Set(try running(daemon, "web").compactMap(\.Slot)) == [1, 2] }
        let stopped = try tasks(daemon, "web").filter { $0.DesiredState == "shutdown" }
        #expect(Set(stopped.compactMap(\.Slot)) == Set(3...6))
        try until("the stopped tasks report shutdown") {
            try tasks(daemon, "web").filter { $0.DesiredState == "shutdown" }.allSatisfy { $0.Status.State == "shutdown" }
        }
        try daemon.docker("service", "rm", "web")
        try until("the removed service's tasks are gone") { try tasks(daemon, "web").isEmpty }
    }

    @Test("drain stops the node's tasks and leaves them pending with Docker's message; active runs them again")
    func drain() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2", "busybox", "sleep", "1000")
        try until("2 tasks run") { try running(daemon, "web").count == 2 }
        let node = try daemon.docker("node", "ls", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        try daemon.docker("node", "update", "--availability", "drain", node)
        try until("nothing runs on the drained node") { try running(daemon, "web").isEmpty }
        try until("the replacements wait with a reason") {
            let wanted = try tasks(daemon, "web").filter { $0.DesiredState == "running" }
            return wanted.count == 2
                && wanted.allSatisfy { $0.Status.Err == "no suitable node (1 node not available for new tasks)" }
        }
        let ps = try daemon.docker("service", "ps", "web", "--no-trunc")
        #expect(ps.contains("no suitable node (1 node not available for new tasks)"))

        try daemon.docker("node", "update", "--availability", "active", node)
        try until("2 tasks run again") { try running(daemon, "web").count == 2 }
    }

    @Test("a constraint no node meets leaves tasks pending with the message; removing it lets them run")
    func constraint() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2",
                          "--constraint", "node.labels.zone==east", "busybox", "sleep", "1000")
        try until("the tasks wait with a reason") {
            let wanted = try tasks(daemon, "web")
            return wanted.count == 2
                && wanted.allSatisfy { $0.Status.Err == "no suitable node (scheduling constraints not satisfied on 1 node)" }
        }
        #expect(try running(daemon, "web").isEmpty)
        try daemon.docker("service", "update", "--detach", "--constraint-rm", "node.labels.zone==east", "web")
        try until("the tasks run") { try running(daemon, "web").count == 2 }
    }

    @Test("update --image with parallelism 1 and delay 1s replaces tasks one by one; rollback restores the image")
    func rollingUpdate() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "3", "busybox:1", "sleep", "1000")
        try until("3 tasks run") { try running(daemon, "web").count == 3 }
        let updated = try daemon.docker("service", "update", "--image", "busybox:2", "--update-parallelism", "1",
                                        "--update-delay", "1s", "web")
        #expect(updated.contains("converged"))
        let fresh = try running(daemon, "web")
        #expect(fresh.count == 3 && fresh.allSatisfy { $0.Spec.ContainerSpec?.Image == "busybox:2" })
        // One slot at a time, in slot order, at least the delay apart.
        let order = fresh.sorted { $0.CreatedAt < $1.CreatedAt }
        #expect(order.compactMap(\.Slot) == [1, 2, 3])
        let times = order.compactMap { Timestamp(rfc3339: $0.CreatedAt) }
        #expect(times.count == 3)
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later.date.timeIntervalSince(earlier.date) >= 1.0)
        }
        let status = try daemon.docker("service", "inspect", "web", "--format", "{{.UpdateStatus.State}}")
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "completed")

        let rolledBack = try daemon.docker("service", "rollback", "web")
        #expect(rolledBack.contains("rollback: manually requested rollback"))
        #expect(try running(daemon, "web").allSatisfy { $0.Spec.ContainerSpec?.Image == "busybox:1" })
        #expect(try running(daemon, "web").count == 3)
        let image = try daemon.docker("service", "inspect", "web", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")
        #expect(image.trimmingCharacters(in: .whitespacesAndNewlines) == "busybox:1")
    }

    @Test("a failing update with --update-failure-action rollback rolls back by itself")
    func automaticRollback() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2", "busybox", "sleep", "1000")
        try until("2 tasks run") { try running(daemon, "web").count == 2 }
        try daemon.docker("service", "update", "--detach", "--args", "sh -c 'exit 3'", "--update-failure-action", "rollback",
                          "web")
        try until("the update rolled back") {
            let state = try daemon.docker("service", "inspect", "web", "--format", "{{.UpdateStatus.State}}")
            return state.trimmingCharacters(in: .whitespacesAndNewlines) == "rollback_completed"
        }
        let message = try daemon.docker("service", "inspect", "web", "--format", "{{.PreviousSpec.TaskTemplate.ContainerSpec.Args}}")
        #expect(message.contains("exit 3"))
        let failed = try tasks(daemon, "web").filter { $0.Status.State == "failed" }
        #expect(failed.contains { $0.Status.Err == "task: non-zero exit (3)" })
        #expect(try running(daemon, "web").count == 2)
        #expect(try running(daemon, "web").allSatisfy { $0.Spec.ContainerSpec?.Args == ["sleep", "1000"] })
        let ps = try daemon.docker("service", "ps", "web", "--no-trunc")
        #expect(ps.contains("\\_ web."))
    }

    @Test("a secret reaches process tasks through COLMEIA_SECRETS_DIR; service logs show every replica, with timestamps, tail and follow")
    func secretsAndLogs() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("secret", "create", "db-password", "-", stdin: "hunter2")
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2", "--secret", "db-password",
                          "busybox", "sh", "-c", #"echo "password=$(cat $COLMEIA_SECRETS_DIR/db-password)"; echo warn >&2; sleep 1000"#)
        try until("2 tasks run") { try running(daemon, "web").count == 2 }
        var logs = ""
        try until("both replicas logged") {
            logs = try daemon.docker("service", "logs", "web")
            return logs.components(separatedBy: "password=hunter2").count == 3
        }
        for task in try running(daemon, "web") {
            #expect(logs.contains("web.\(task.Slot ?? 0).\(task.ID.prefix(12))@colmeia-test    | password=hunter2"))
        }
        let stderr = try daemon.run("docker", ["service", "logs", "web"]).stderr
        #expect(stderr.components(separatedBy: "| warn").count == 3)
        let stamped = try daemon.docker("service", "logs", "--timestamps", "--tail", "1", "--no-task-ids", "web")
        #expect(stamped.split(separator: "\n").allSatisfy { $0.contains("Z web.") && $0.hasPrefix("20") })
        let followed = try daemon.run("timeout", ["3", "docker", "service", "logs", "--follow", "web"])
        #expect(followed.status == 124, "follow keeps the stream open until interrupted")
        #expect(followed.stdout.contains("password=hunter2"))
        let task = try running(daemon, "web")[0]
        #expect(try daemon.docker("service", "logs", task.ID).contains("password=hunter2"))
        // The secret stays out of the API and the audit trail.
        #expect(!(try daemon.docker("secret", "inspect", "db-password")).contains("hunter2"))
        #expect(try daemon.curl(["-s", "http://localhost/services/web/logs"]).stdout.contains("you must choose at least one stream"))
    }

    @Test("a killed process fails its task with the exit error and a replacement takes its slot")
    func killedProcess() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "3", "--restart-delay", "1s",
                          "busybox", "sleep", "1000")
        try until("3 tasks run") { try running(daemon, "web").count == 3 }
        let victim = try running(daemon, "web").sorted { ($0.Slot ?? 0) < ($1.Slot ?? 0) }[0]
        let pid = try daemon.docker("inspect", "--type", "task", "--format", "{{.Status.ContainerStatus.PID}}", victim.ID)
        #expect(try daemon.run("kill", ["-9", pid.trimmingCharacters(in: .whitespacesAndNewlines)]).status == 0)
        try until("the task failed and slot 1 runs again") {
            let all = try tasks(daemon, "web")
            let failed = all.first { $0.ID == victim.ID }
            let replaced = try running(daemon, "web").contains { $0.Slot == 1 && $0.ID != victim.ID }
            return failed?.Status.State == "failed" && failed?.Status.Err == "task: non-zero exit (137)" && replaced
        }
    }

    @Test("a task whose command does not exist, or exits at once, gets a clear error and is retried")
    func badCommands() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "missing", "--restart-delay", "1s", "busybox", "no-such-command")
        try daemon.docker("service", "create", "--detach", "--name", "quick", "--restart-delay", "1s", "busybox", "sh", "-c", "exit 7")
        try daemon.docker("service", "create", "--detach", "--name", "fine", "busybox", "sleep", "1000")
        try until("the missing command failed twice") {
            try tasks(daemon, "missing").filter { $0.Status.Err == #"exec: "no-such-command": executable file not found in $PATH"# }.count >= 2
        }
        try until("the quick exit failed twice") {
            try tasks(daemon, "quick").filter { $0.Status.Err == "task: non-zero exit (7)" }.count >= 2
        }
        #expect(try running(daemon, "fine").count == 1)
    }
}
