import ColmeiaModel
import Foundation
import Testing

/// Every command group of the built `colmeia` against a real colmeiad: tables, JSON, exit codes.
@Suite(.serialized) struct CommandGroupTests {
    @Test("swarm: join-token, update, unlock-key, ca, and the daemon's own errors passed through")
    func swarm() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        let token = try daemon.colmeia("swarm", "join-token", "worker")
        #expect(token.contains("To add a worker to this swarm, run the following command:"))
        #expect(token.contains("colmeia swarm join --token SWMTKN-1-"))
        let quiet = try daemon.colmeia("swarm", "join-token", "-q", "manager").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(quiet.hasPrefix("SWMTKN-1-"))
        let rotated = try daemon.colmeia("swarm", "join-token", "--rotate", "-q", "manager").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(rotated.hasPrefix("SWMTKN-1-") && rotated != quiet)

        #expect(try daemon.colmeia("swarm", "update", "--task-history-limit", "7") == "Swarm updated.\n")
        let history = try daemon.run(["swarm", "ca"])
        #expect(history.status == 0)

        // Not initialised a second time: the daemon's message, exit 1, one line.
        let again = try daemon.colmeiaFails("swarm", "init")
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("Error response from daemon: "))
        #expect(again.stderr.split(separator: "\n").count == 1)
        // Joining needs the multi-manager work: its answer, not a fake success.
        let join = try daemon.colmeiaFails("swarm", "join", "--token", "SWMTKN-1-x", "127.0.0.1:2377")
        #expect(join.stderr.hasPrefix("Error response from daemon: "))
        let unlockKey = try daemon.colmeiaFails("swarm", "unlock-key")
        #expect(unlockKey.stderr == "no unlock key is set\n")
        let unlock = try daemon.colmeiaFails("swarm", "unlock", stdin: "SWMKEY-1-abc\n")
        #expect(unlock.stderr == "Error response from daemon: swarm is not locked\n")
    }

    @Test("version: the client's and the daemon's versions as docker version shows them, JSON, and the client alone when no daemon answers")
    func version() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        let text = try daemon.colmeia("version")
        #expect(text.hasPrefix("Client: Colmeia\n Version:           \(ColmeiaVersion.colmeia)\n"), "\(text)")
        #expect(text.contains("Server: Colmeia \(ColmeiaVersion.colmeia)") && text.contains("  Version:          \(ColmeiaVersion.engine)"), "\(text)")
        let json = try daemon.colmeia("version", "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["Client"] as? [String: Any])?["Version"] as? String == ColmeiaVersion.colmeia)
        #expect((object["Server"] as? [String: Any])?["ApiVersion"] as? String != nil, "\(json)")
        #expect(try daemon.colmeia("version", "--format", "{{.Server.Version}}").trimmingCharacters(in: .whitespacesAndNewlines) == ColmeiaVersion.engine)
        let unreachable = try daemon.run(["version"], host: "unix:///nonexistent/colmeia.sock")
        #expect(unreachable.status == 1 && unreachable.stdout.hasPrefix("Client: Colmeia") && unreachable.stderr.contains("cannot reach the daemon"),
                "\(unreachable)")
    }

    @Test("node: ls with * for this node, inspect --pretty and JSON, update labels and availability, promote, rm, ps")
    func node() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        let table = try daemon.colmeia("node", "ls")
        let lines = table.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID ") == true)
        #expect(lines.first?.range(of: #"^ID +HOSTNAME +STATUS +AVAILABILITY +MANAGER STATUS +ENGINE VERSION$"#, options: .regularExpression) != nil)
        #expect(lines.count == 2 && lines[1].contains(" *   colmeia-test   Ready     Active         Leader"), "\(table)")
        let id = try daemon.colmeia("node", "ls", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 25)
        let rows = try daemon.jsonRows("node", "ls", "--format", "json")
        #expect(rows.first?["Hostname"] == "colmeia-test" && rows.first?["Self"] == "true" && rows.first?["ID"] == id)

        try daemon.colmeia("node", "update", "--label-add", "zone=east", String(id.prefix(5)))
        let inspected = try JSONDecoder().decode([Node].self, from: Data(try daemon.colmeia("node", "inspect", "self").utf8))
        #expect(inspected.first?.spec.labels == ["zone": "east"])
        let pretty = try daemon.colmeia("node", "inspect", "--pretty", "colmeia-test")
        #expect(pretty.contains("Hostname:") && pretty.contains("colmeia-test") && pretty.contains(" - zone=east"))
        #expect(try daemon.colmeia("node", "inspect", "--format", "{{.Description.Hostname}}", id) == "colmeia-test\n")

        try daemon.colmeia("node", "update", "--availability", "pause", id)
        #expect(try daemon.jsonRows("node", "ls", "--format", "json").first?["Availability"] == "Pause")
        try daemon.colmeia("node", "update", "--availability", "active", id)
        #expect(try daemon.colmeia("node", "promote", id) == "Node \(id) is already a manager.\n")

        let removal = try daemon.colmeiaFails("node", "rm", id)
        #expect(removal.stderr.contains("must be demoted to worker before removal"))
        let missing = try daemon.colmeiaFails("node", "inspect", "nonexistent")
        #expect(missing.stderr == "Error: No such node: nonexistent\n")

        try daemon.colmeia("service", "create", "--detach", "--name", "web", "--replicas", "2", "busybox", "sleep", "1000")
        try await daemon.until("2 tasks run") { try daemon.runningTasks("web").count == 2 }
        let ps = try daemon.colmeia("node", "ps")
        #expect(ps.contains("web.1") && ps.contains("web.2") && ps.contains("colmeia-test"))
    }

    @Test("service: create -d, ls/ps tables and JSON, id prefixes, inspect, logs, rm")
    func service() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        let id = try daemon.colmeia("service", "create", "-d", "--name", "echo", "--replicas", "2", "-p", "18080:80",
                                    "busybox", "sh", "-c", "echo hello from $HOSTNAME; sleep 1000")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 25)
        try await daemon.until("2 tasks run") { try daemon.runningTasks("echo").count == 2 }

        let ls = try daemon.colmeia("service", "ls")
        #expect(ls.hasPrefix("ID             NAME      MODE         REPLICAS   IMAGE     PORTS\n"))
        #expect(ls.contains("\(id.prefix(12))   echo      replicated   2/2        busybox   *:18080->80/tcp"))
        #expect(try daemon.colmeia("service", "ls", "-q").trimmingCharacters(in: .whitespacesAndNewlines) == String(id.prefix(12)))
        let rows = try daemon.jsonRows("service", "ls", "--format", "json")
        #expect(rows == [["ID": String(id.prefix(12)), "Name": "echo", "Mode": "replicated", "Replicas": "2/2", "Image": "busybox",
                          "Ports": "*:18080->80/tcp"]])
        #expect(try daemon.colmeia("service", "ls", "--format", "{{.Name}} {{.Replicas}}") == "echo 2/2\n")

        let ps = try daemon.colmeia("service", "ps", String(id.prefix(6)))
        #expect(ps.hasPrefix("ID             NAME      IMAGE     NODE           DESIRED STATE   CURRENT STATE"))
        #expect(ps.contains("echo.1") && ps.contains("echo.2"))
        #expect(ps.contains("Running         Running "))
        #expect(ps.range(of: #"Running \d+ seconds? ago|Running Less than a second ago"#, options: .regularExpression) != nil)

        let inspected = try JSONDecoder().decode([Service].self, from: Data(try daemon.colmeia("service", "inspect", "echo").utf8))
        #expect(inspected.first?.id == id)
        #expect(inspected.first?.spec.endpointSpec?.ports.first?.publishedPort == 18080)
        let pretty = try daemon.colmeia("service", "inspect", "--pretty", "echo")
        #expect(pretty.contains("Service Mode:") && pretty.contains("Replicated") && pretty.contains("PublishedPort = 18080"))
        #expect(try daemon.colmeia("service", "inspect", "-f", "{{.Spec.Name}}", String(id.prefix(8))) == "echo\n")
        let partly = try daemon.colmeiaFails("service", "inspect", "echo", "missing")
        #expect(partly.status == 1)
        #expect(partly.stdout.contains("\"Name\": \"echo\""))
        #expect(partly.stderr == "Error: No such service: missing\n")

        try await daemon.until("both tasks logged") {
            try daemon.colmeia("service", "logs", "echo").split(separator: "\n").filter { $0.contains("hello from") }.count == 2
        }
        let logs = try daemon.colmeia("service", "logs", "echo")
        #expect(logs.range(of: #"echo\.[12]\.[a-z0-9]{12}@colmeia-test    \| hello from"#, options: .regularExpression) != nil)

        #expect(try daemon.colmeia("service", "rm", "echo") == "echo\n")
        let gone = try daemon.colmeiaFails("service", "rm", "echo")
        #expect(gone.stderr.hasPrefix("Error response from daemon: ") && gone.status == 1)
        #expect(try daemon.colmeia("service", "ls", "-q").isEmpty)
    }

    @Test("secret and config: create from a file and from stdin, ls, inspect, rm; data never shown for secrets")
    func secretsAndConfigs() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        let file = daemon.base + "/pw.txt"
        try "from-a-file".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try daemon.colmeia("secret", "create", "--label", "env=test", "db_password", file).trimmingCharacters(in: .newlines)
        let fromStdin = try daemon.colmeia("secret", "create", "api_key", "-", stdin: "from-stdin").trimmingCharacters(in: .newlines)
        #expect(fromFile.count == 25 && fromStdin.count == 25)
        let table = try daemon.colmeia("secret", "ls")
        #expect(table.hasPrefix("ID                          NAME          DRIVER    CREATED"))
        #expect(table.contains("db_password") && table.contains("api_key"))
        #expect(table.contains("ago"))
        #expect(Set(try daemon.colmeia("secret", "ls", "-q").split(separator: "\n").map(String.init)) == [fromFile, fromStdin])
        let inspected = try daemon.colmeia("secret", "inspect", "db_password")
        #expect(inspected.contains("\"env\": \"test\"") && !inspected.contains("from-a-file"))
        let prettySecret = try daemon.colmeia("secret", "inspect", "--pretty", String(fromFile.prefix(6)))
        #expect(prettySecret.range(of: #"(?m)^Name: +db_password$"#, options: .regularExpression) != nil, "\(prettySecret)")
        #expect(try daemon.colmeia("secret", "rm", "api_key") == "api_key\n")
        #expect(try daemon.colmeiaFails("secret", "rm", "api_key").status == 1)

        let config = try daemon.colmeia("config", "create", "site", "-", stdin: "server_name example;").trimmingCharacters(in: .newlines)
        #expect(try daemon.colmeia("config", "ls").contains("site"))
        #expect(try daemon.colmeia("config", "ls", "-q") == config + "\n")
        #expect(try daemon.colmeia("config", "inspect", "--pretty", "site").hasSuffix("Data:\nserver_name example;\n"))
        #expect(try daemon.colmeia("config", "rm", "site") == "site\n")
    }

    @Test("network: create, ls, inspect, rm")
    func network() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        let id = try daemon.colmeia("network", "create", "--driver", "overlay", "--attachable", "--subnet", "10.20.0.0/24", "back")
            .trimmingCharacters(in: .newlines)
        let table = try daemon.colmeia("network", "ls")
        #expect(table.hasPrefix("NETWORK ID     NAME      DRIVER    SCOPE\n"))
        #expect(table.contains("\(id.prefix(12))   back      overlay   swarm"))
        #expect(try daemon.colmeia("network", "inspect", "-f", "{{.Name}} {{.Attachable}}", "back") == "back true\n")
        #expect(try daemon.colmeia("network", "rm", "back") == "back\n")
        #expect(try daemon.colmeiaFails("network", "inspect", "back").stderr == "Error: No such network: back\n")
    }

    @Test("events: what happened since a time, until now, as lines and as JSON")
    func events() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        try daemon.colmeia("secret", "create", "token", "-", stdin: "x")
        let lines = try daemon.colmeia("events", "--since", "5m", "--until", "0s", "--filter", "type=secret")
        #expect(lines.contains(" secret create ") && lines.contains("(name=token)"))
        let json = try daemon.colmeia("events", "--since", "5m", "--until", "0s", "--filter", "type=secret", "--format", "json")
        let event = try JSONDecoder().decode(JSONValue.self, from: Data((json.split(separator: "\n").first ?? "").utf8))
        #expect(event["Type"] == "secret" && event["Action"] == "create")
    }
}
