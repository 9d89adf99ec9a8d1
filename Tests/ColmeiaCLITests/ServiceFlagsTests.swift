@testable import ColmeiaCLI
import ColmeiaModel
import Foundation
import Testing

/// `service create`/`update` flags turned into specs, and bad values refused before sending.
struct ServiceFlagsTests {
    func spec(_ arguments: [String]) throws -> ServiceSpec {
        try ServiceCreate.parse(arguments).makeSpec()
    }

    @Test("--publish …,proxy-protocol=v2 becomes the mesh's com.colmeia.proxy-protocol.<target> label; other values are refused")
    func proxyProtocol() throws {
        let spec = try spec(["--label", "team=a", "--publish", "published=8081,target=80,proxy-protocol=v2", "-p", "9000:90", "busybox"])
        #expect(spec.labels == ["team": "a", "com.colmeia.proxy-protocol.80": "v2"])
        #expect(spec.endpointSpec?.ports == [
            PortConfig(protocol: .tcp, targetPort: 80, publishedPort: 8081, publishMode: .ingress),
            PortConfig(protocol: .tcp, targetPort: 90, publishedPort: 9000, publishMode: .ingress),
        ])
        #expect(throws: CLIError.self) { try self.spec(["--publish", "target=80,proxy-protocol=v1", "busybox"]) }
    }

    @Test("create: replicas, ports, constraints, policies, resources and the command after the image")
    func create() throws {
        let spec = try spec([
            "--name", "web", "--replicas", "3", "-p", "8080:80", "--publish", "published=53,target=53,protocol=udp,mode=host",
            "--constraint", "node.role==worker", "--placement-pref", "spread=node.labels.zone", "-e", "MODE=prod",
            "--label", "team=a", "--update-parallelism", "2", "--update-delay", "10s", "--update-failure-action", "rollback",
            "--update-order", "start-first", "--rollback-parallelism", "1", "--restart-condition", "on-failure",
            "--restart-delay", "1s", "--restart-max-attempts", "3", "--limit-cpu", "0.5", "--limit-memory", "256m",
            "--reserve-memory", "64M", "--health-cmd", "true", "--health-interval", "5s",
            "busybox", "sleep", "1000", "--not-a-colmeia-flag",
        ])
        #expect(spec.name == "web")
        #expect(spec.labels == ["team": "a"])
        #expect(spec.mode.replicated?.replicas == 3)
        #expect(spec.taskTemplate.containerSpec?.image == "busybox")
        #expect(spec.taskTemplate.containerSpec?.args == ["sleep", "1000", "--not-a-colmeia-flag"])
        #expect(spec.taskTemplate.containerSpec?.env == ["MODE=prod"])
        #expect(spec.endpointSpec?.ports == [
            PortConfig(protocol: .tcp, targetPort: 80, publishedPort: 8080, publishMode: .ingress),
            PortConfig(protocol: .udp, targetPort: 53, publishedPort: 53, publishMode: .host),
        ])
        #expect(spec.taskTemplate.placement?.constraints == ["node.role==worker"])
        #expect(spec.taskTemplate.placement?.preferences.first?.spread?.spreadDescriptor == "node.labels.zone")
        #expect(spec.updateConfig?.parallelism == 2)
        #expect(spec.updateConfig?.delay == 10_000_000_000)
        #expect(spec.updateConfig?.failureAction == .rollback)
        #expect(spec.updateConfig?.order == .startFirst)
        #expect(spec.rollbackConfig?.parallelism == 1)
        #expect(spec.taskTemplate.restartPolicy == RestartPolicy(condition: .onFailure, delay: 1_000_000_000, maxAttempts: 3))
        #expect(spec.taskTemplate.resources?.limits?.nanoCPUs == 500_000_000)
        #expect(spec.taskTemplate.resources?.limits?.memoryBytes == 268_435_456)
        #expect(spec.taskTemplate.resources?.reservations?.memoryBytes == 67_108_864)
        #expect(spec.taskTemplate.containerSpec?.healthcheck?.test == ["CMD-SHELL", "true"])
        #expect(spec.taskTemplate.containerSpec?.healthcheck?.interval == 5_000_000_000)
    }

    @Test("global mode has no replica count")
    func global() throws {
        #expect(try spec(["--mode", "global", "busybox"]).mode == ServiceMode(global: .init()))
        #expect(throws: CLIError.self) { try spec(["--mode", "global", "--replicas", "2", "busybox"]) }
    }

    @Test("malformed values are refused with docker's words", arguments: [
        (["--publish", "99999:80"], "invalid argument \"99999:80\" for \"-p, --publish\" flag: invalid port number '99999'"),
        (["--publish", "80:http"], "invalid argument \"80:http\" for \"-p, --publish\" flag: invalid port number 'http'"),
        (["--publish", "published=80"], "invalid argument \"published=80\" for \"-p, --publish\" flag: missing mandatory field 'target'"),
        (["--constraint", "node.role=manager"], "invalid argument \"node.role=manager\" for \"--constraint\" flag: constraint expected one operator from ==, !="),
        (["--update-delay", "10x"], "invalid argument \"10x\" for \"--update-delay\" flag: time: invalid duration \"10x\""),
        (["--restart-window", "soon"], "invalid argument \"soon\" for \"--restart-window\" flag: time: invalid duration \"soon\""),
        (["--limit-memory", "lots"], "invalid argument \"lots\" for \"--limit-memory\" flag: invalid size: 'lots'"),
        (["--mode", "sometimes"], "invalid argument \"sometimes\" for \"--mode\" flag: must be one of replicated, global, replicated-job, global-job"),
        (["--update-order", "random"], "invalid argument \"random\" for \"--update-order\" flag: must be one of start-first, stop-first"),
    ] as [([String], String)])
    func malformed(arguments: [String], message: String) {
        #expect(throws: CLIError(message)) { try spec(arguments + ["busybox"]) }
    }

    @Test("unknown flags fail parsing")
    func unknownFlag() {
        #expect(throws: (any Error).self) { try ServiceCreate.parse(["--bogus", "busybox"]) }
        #expect(throws: (any Error).self) { try ServiceUpdate.parse(["--replicas", "many", "web"]) }
    }

    @Test("update changes only what the flags name: constraint, env, label and port add/rm, image, replicas, force")
    func update() throws {
        var current = try spec(["--name", "web", "--constraint", "node.role==worker", "-e", "A=1", "-e", "B=2", "--label", "x=1",
                                "-p", "8080:80", "busybox:1", "sleep", "1000"])
        current.taskTemplate.forceUpdate = 4
        let command = try ServiceUpdate.parse([
            "--image", "busybox:2", "--replicas", "5", "--constraint-rm", "node.role==worker", "--constraint-add", "node.labels.zone==east",
            "--env-rm", "A", "--env-add", "B=3", "--label-rm", "x", "--label-add", "y=2", "--publish-rm", "80", "--publish-add", "9090:90",
            "--update-parallelism", "1", "--update-delay", "2s", "--force", "web",
        ])
        let updated = try command.apply(to: current)
        #expect(updated.taskTemplate.containerSpec?.image == "busybox:2")
        #expect(updated.taskTemplate.containerSpec?.args == ["sleep", "1000"])
        #expect(updated.mode.replicated?.replicas == 5)
        #expect(updated.taskTemplate.placement?.constraints == ["node.labels.zone==east"])
        #expect(updated.taskTemplate.containerSpec?.env == ["B=3"])
        #expect(updated.labels == ["y": "2"])
        #expect(updated.endpointSpec?.ports.map(\.targetPort) == [90])
        #expect(updated.updateConfig?.parallelism == 1)
        #expect(updated.updateConfig?.delay == 2_000_000_000)
        #expect(updated.taskTemplate.forceUpdate == 5)

        let untouched = try ServiceUpdate.parse(["web"]).apply(to: current)
        #expect(untouched == current)
        #expect(throws: CLIError.self) { try ServiceUpdate.parse(["--constraint-add", "zone", "web"]).apply(to: current) }
    }

    @Test("--secret and --config take a name or source=,target=,mode=")
    func references() throws {
        #expect(try FileReferenceRequest(parsing: "db", flag: "secret") == FileReferenceRequest(source: "db", target: "db"))
        var long = FileReferenceRequest(source: "db", target: "password")
        long.mode = 0o400
        #expect(try FileReferenceRequest(parsing: "source=db,target=password,mode=0400", flag: "secret") == long)
        #expect(throws: CLIError.self) { try FileReferenceRequest(parsing: "target=x", flag: "secret") }
        #expect(throws: CLIError.self) { try FileReferenceRequest(parsing: "source=db,colour=red", flag: "secret") }
    }

    @Test("scale pairs are checked before sending")
    func scale() throws {
        #expect(try ServiceScale.parse(["web=3", "api=0"]).pairs().map(\.1) == [3, 0])
        #expect(throws: CLIError.self) { try ServiceScale.parse(["web"]).pairs() }
        #expect(throws: CLIError.self) { try ServiceScale.parse(["web=-1"]).pairs() }
    }
}
