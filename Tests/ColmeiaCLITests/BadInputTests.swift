import Foundation
import Testing

/// Mistakes in flags, values, files and compose files: one line, non-zero exit, and nothing
/// sent (the host given does not exist, so any attempt would say "Cannot connect").
struct BadInputTests {
    static let compose = FileManager.default.temporaryDirectory.path + "/colmeia-bad-\(UUID().uuidString.prefix(8)).yml"

    @Test("each mistake is one line on stderr and a non-zero exit, before any connection", arguments: [
        (["service", "create", "--bogus", "busybox"], "colmeia: Unknown option '--bogus'. See 'colmeia service create --help'."),
        (["service", "crate", "busybox"], "colmeia: 2 unexpected arguments: 'crate', 'busybox'. See 'colmeia service --help'."),
        (["service", "create", "--publish", "99999:80", "busybox"], "invalid argument \"99999:80\" for \"-p, --publish\" flag: invalid port number '99999'"),
        (["service", "create", "-p", "80:80/tcpx", "busybox"], "invalid argument \"80:80/tcpx\" for \"-p, --publish\" flag: invalid proto: tcpx"),
        (["service", "create", "--constraint", "node.role=manager", "busybox"], "invalid argument \"node.role=manager\" for \"--constraint\" flag: constraint expected one operator from ==, !="),
        (["service", "update", "--constraint-add", "zone", "web"], "invalid argument \"zone\" for \"--constraint-add\" flag: constraint expected one operator from ==, !="),
        (["service", "create", "--update-delay", "10x", "busybox"], "invalid argument \"10x\" for \"--update-delay\" flag: time: invalid duration \"10x\""),
        (["service", "update", "--restart-delay", "soon", "web"], "invalid argument \"soon\" for \"--restart-delay\" flag: time: invalid duration \"soon\""),
        (["service", "create", "--replicas", "three", "busybox"], nil),
        (["service", "scale", "web"], "invalid scale specifier 'web'. See 'colmeia service scale --help'."),
        (["node", "update", "--availability", "sleepy", "self"], nil),
        (["secret", "create", "pw", "/nonexistent/pw.txt"], "open /nonexistent/pw.txt: no such file or directory"),
        (["config", "create", "site", "/nonexistent/site.conf"], "open /nonexistent/site.conf: no such file or directory"),
        (["stack", "deploy", "-c", "/nonexistent/stack.yml", "demo"], "open /nonexistent/stack.yml: no such file or directory"),
        (["stack", "deploy", "-c", compose, "demo"], "\(compose):5:17: services.web.deploy.replicas must be an integer ≥ 0: \"three\""),
        (["events", "--since", "yesterday-ish"], "invalid argument \"yesterday-ish\" for \"--since\" flag: not a time, Unix timestamp or duration"),
        (["-H", "ftp://host", "service", "ls"], nil),
    ] as [([String], String?)])
    func refused(arguments: [String], message: String?) throws {
        try "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: three\n"
            .write(toFile: Self.compose, atomically: true, encoding: .utf8)
        let output = try CLIHarness().run(arguments, host: "unix:///nonexistent/colmeia-\(UUID().uuidString.prefix(8)).sock")
        #expect(output.status != 0)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.split(separator: "\n").count == 1, "\(output.stderr)")
        #expect(!output.stderr.contains("Cannot connect"))
        if let message { #expect(output.stderr == message + "\n") }
    }

    @Test("a daemon that does not answer is named in one line with exit 1")
    func noDaemon() throws {
        let output = try CLIHarness().run(["service", "ls"], host: "unix:///nonexistent/colmeia.sock")
        #expect(output.status == 1)
        #expect(output.stderr == "Cannot connect to the colmeia daemon at unix:///nonexistent/colmeia.sock. Is the colmeia daemon running?\n")
        let tcp = try CLIHarness().run(["-H", "tcp://127.0.0.1:1", "node", "ls"], host: "unix:///nonexistent/colmeia.sock")
        #expect(tcp.stderr == "Cannot connect to the colmeia daemon at tcp://127.0.0.1:1. Is the colmeia daemon running?\n")
    }

    @Test("help has an example for every command; completion scripts are generated")
    func helpAndCompletion() throws {
        let harness = CLIHarness()
        let groups = ["swarm": ["ca", "init", "join", "join-token", "leave", "unlock", "unlock-key", "update"],
                      "node": ["demote", "inspect", "ls", "promote", "ps", "rm", "update"],
                      "service": ["create", "inspect", "logs", "ls", "ps", "rm", "rollback", "scale", "update"],
                      "secret": ["create", "inspect", "ls", "rm"], "config": ["create", "inspect", "ls", "rm"],
                      "network": ["create", "inspect", "ls", "rm"], "stack": ["deploy", "ls", "ps", "rm", "services"]]
        for (group, commands) in groups {
            for command in commands {
                let help = try harness.run([group, command, "--help"])
                #expect(help.status == 0)
                #expect(help.stdout.contains("Example:\n  colmeia \(group) \(command)") || help.stdout.contains("| colmeia \(group) \(command)"),
                        "\(group) \(command) --help has no example")
                #expect(help.stdout.split(separator: "\n").filter { $0.hasPrefix("  colmeia ") }.allSatisfy { $0.count <= 80 })
            }
        }
        #expect(try harness.run(["events", "--help"]).stdout.contains("Example:\n  colmeia events"))
        let bash = try harness.run(["--generate-completion-script", "bash"])
        #expect(bash.status == 0 && bash.stdout.contains("colmeia"))
        #expect(try harness.run(["--generate-completion-script", "zsh"]).stdout.contains("#compdef colmeia"))
    }
}
