import Foundation
import Testing

@Suite(.serialized) struct StackAndEventsTests {
    static let compose = """
        version: "3.8"
        services:
          web:
            image: nginx:alpine
            ports:
              - "8081:80"
            deploy:
              mode: replicated
              replicas: 2
              placement:
                constraints: [node.role == manager]
              update_config:
                parallelism: 1
                delay: 10s
                order: start-first
              resources:
                limits:
                  cpus: "0.5"
                  memory: 64M
              restart_policy:
                condition: on-failure
                max_attempts: 3
            networks: [front]
          worker:
            image: alpine:3.19
            command: ["sleep", "3600"]
            deploy:
              mode: global
            secrets: [token]
        networks:
          front:
        secrets:
          token:
            file: ./token.txt
        """

    @Test("docker stack deploy with a compose v3 file, then stack ls, services and rm")
    func stackDeploy() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let directory = FileManager.default.temporaryDirectory.path + "/stack-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.compose.write(toFile: directory + "/compose.yml", atomically: true, encoding: .utf8)
        try "token".write(toFile: directory + "/token.txt", atomically: true, encoding: .utf8)

        let deployed = try daemon.run("docker", ["stack", "deploy", "-c", directory + "/compose.yml", "demo"],
                                      environment: ["PWD": directory])
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(deployed.stdout.contains("Creating service demo_web"))
        #expect(try daemon.docker("stack", "ls").contains("demo"))
        let services = try daemon.docker("stack", "services", "demo")
        #expect(services.contains("demo_web"))
        #expect(services.contains("0/2"))
        #expect(services.contains("demo_worker"))
        #expect(services.contains("global"))
        let web = try daemon.docker("service", "inspect", "--format",
                                    "{{.Spec.TaskTemplate.Placement.Constraints}} {{.Spec.UpdateConfig.Order}} {{.Spec.TaskTemplate.RestartPolicy.Condition}} {{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}",
                                    "demo_web")
        #expect(web.trimmingCharacters(in: .whitespacesAndNewlines) == "[node.role == manager] start-first on-failure 67108864")
        try daemon.docker("stack", "rm", "demo")
        #expect(!(try daemon.docker("service", "ls")).contains("demo_"))
        daemon.stop()
    }

    @Test("docker events --since replays service, secret and network events, also after a restart")
    func events() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let since = String(Int(Date().timeIntervalSince1970) - 1)
        try daemon.docker("service", "create", "--detach", "--name", "evented", "nginx:alpine")
        try daemon.docker("secret", "create", "evsecret", "-", stdin: "x")
        try daemon.docker("service", "rm", "evented")
        daemon.stop()
        try daemon.start(initialize: false)
        let until = String(Int(Date().timeIntervalSince1970) + 1)
        let events = try daemon.docker("events", "--since", since, "--until", until)
        let lines = events.split(separator: "\n")
        #expect(lines.contains { $0.contains("service create") && $0.contains("name=evented") })
        #expect(lines.contains { $0.contains("secret create") && $0.contains("name=evsecret") })
        #expect(lines.contains { $0.contains("service remove") && $0.contains("name=evented") })
        let onlySecrets = try daemon.docker("events", "--since", since, "--until", until, "--filter", "type=secret")
        #expect(onlySecrets.split(separator: "\n").count == 1)
        daemon.stop()
    }

    @Test("docker events without --since starts at the present, as dockerd does: no replay of the history")
    func eventsStartAtThePresent() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("secret", "create", "before", "-", stdin: "x")
        // `until` alone bounds the stream; it replays nothing.
        let bounded = try daemon.docker("events", "--until", String(Int(Date().timeIntervalSince1970) + 1))
        #expect(!bounded.contains("name=before"), "events without --since replayed history: \(bounded)")

        // A live reader sees what happens after it starts, and only that.
        let until = Int(Date().timeIntervalSince1970) + 4
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reader.arguments = ["curl", "-s", "--max-time", "30", "--unix-socket", daemon.socket,
                            "http://localhost/events?until=\(until)"]
        let output = Pipe()
        reader.standardOutput = output
        reader.standardError = FileHandle.nullDevice
        try reader.run()
        defer { if reader.isRunning { reader.terminate() } }
        Thread.sleep(forTimeInterval: 1)
        try daemon.docker("secret", "create", "after", "-", stdin: "x")
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.waitUntilExit()
        #expect(text.contains("\"after\""), "the live stream missed an event: \(text)")
        #expect(!text.contains("\"before\""), "the live stream replayed history: \(text)")
        daemon.stop()
    }
}
