import Foundation
import Testing

/// Every form of image reference users type reaches the private engine intact, missing
/// images are pulled (with `--with-registry-auth` credentials), and what cannot be had
/// fails with the engine's own words.
@Suite(.serialized) struct ImageReferenceFormsTests {
    let orchestration = OrchestrationTests()

    func daemon(_ engine: DockerEngineHarness) throws -> DaemonHarness {
        let daemon = DaemonHarness()
        try daemon.start(executor: "docker", extraArguments: ["--docker-host", "unix://" + engine.socket])
        return daemon
    }

    @Test("name, name:tag, ns/name:tag, host:port/ns/name:tag and localhost/name images present on the engine run as they are named")
    func localImagesOfEveryForm() throws {
        let engine = try DockerEngineHarness.shared.get()
        let daemon = try daemon(engine)
        for (index, form) in DockerEngineHarness.userForms.enumerated() {
            try daemon.docker("service", "create", "--detach", "--name", "form\(index)", form, "sleep", "1000")
        }
        for (index, form) in DockerEngineHarness.userForms.enumerated() {
            try orchestration.until("\(form) runs") { try orchestration.running(daemon, "form\(index)").count == 1 }
            let task = try #require(try orchestration.tasks(daemon, "form\(index)").first)
            #expect(task.Status.Err ?? "" == "", "\(form): \(task.Status.Err ?? "")")
            // The docker CLI names a tagless image `:latest`, as it does with dockerd.
            let named = form.split(separator: "/").last?.contains(":") == true ? form : form + ":latest"
            let spec = try daemon.docker("service", "inspect", "form\(index)", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")
            #expect(spec.trimmingCharacters(in: .whitespacesAndNewlines) == named)
            let image = try engine.containers(ofService: "form\(index)").first?.image
            #expect(image == named, "the container of \(form) runs \(image ?? "nothing")")
        }
        // The node reports its engine as Docker's executor does, and `docker info` counts
        // what the engine holds.
        let plugins = try daemon.docker("node", "inspect", "self", "--format", "{{json .Description.Engine.Plugins}}")
        #expect(plugins.contains(#"{"Type":"Network","Name":"overlay"}"#) && plugins.contains(#""Type":"Volume""#), "\(plugins)")
        let counts = try daemon.docker("info", "--format", "{{.ContainersRunning}} {{.Images}}").split(separator: " ")
            .compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let engineCounts = try engine.docker(["info", "--format", "{{.ContainersRunning}} {{.Images}}"]).stdout.split(separator: " ")
            .compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(counts.count == 2 && counts == engineCounts && counts[0] >= DockerEngineHarness.userForms.count, "\(counts) \(engineCounts)")
        for index in DockerEngineHarness.userForms.indices { try daemon.docker("service", "rm", "form\(index)") }
    }

    @Test("an uppercase name is refused with Docker's words before anything is stored")
    func uppercaseNameIsRefused() throws {
        let engine = try DockerEngineHarness.shared.get()
        let daemon = try daemon(engine)
        let answer = try daemon.http("POST", "/services/create",
                                     body: #"{"Name":"upper","TaskTemplate":{"ContainerSpec":{"Image":"LocalBusybox:1"}}}"#)
        #expect(answer.status == 400)
        #expect(answer.body.contains(#"ContainerSpec: \"LocalBusybox:1\" is not a valid repository/tag"#), "\(answer.body)")
        let cli = try daemon.run("docker", ["service", "create", "--name", "upper", "LocalBusybox:1"])
        #expect(cli.status != 0)
        #expect(cli.stderr.contains(#"ContainerSpec: "LocalBusybox:1" is not a valid repository/tag"#), "\(cli.stderr)")
        #expect(try daemon.docker("service", "ls", "-q").isEmpty)
    }

    @Test("an absent image is pulled from a registry with --with-registry-auth (by tag and by digest); without credentials or for an unknown tag the task is rejected with the engine's words")
    func absentImagesArePulled() throws {
        let engine = try DockerEngineHarness.shared.get()
        let registry = try RegistryHarness()
        let daemon = try daemon(engine)
        let config = registry.root + "/docker-config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let environment = ["DOCKER_CONFIG": config]
        let login = try engine.shell(environment: environment,
                                     "echo '\(RegistryHarness.password)' | docker login -u \(RegistryHarness.user) --password-stdin \(registry.host)")
        #expect(login.status == 0, "\(login.stderr)")
        let remote = "\(registry.host)/ns/app:1"
        let other = "\(registry.host)/ns/other:1"
        for name in [remote, other] {
            #expect(try engine.docker(["tag", DockerEngineHarness.image, name]).status == 0)
            let pushed = try engine.docker(["push", name], environment: environment)
            #expect(pushed.status == 0, "\(pushed.stderr)")
        }
        let digest = try engine.docker(["inspect", "--format", "{{index .RepoDigests 0}}", remote]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest.hasPrefix("\(registry.host)/ns/app@sha256:"))
        func forget() throws {
            // Only these names go: the test image stays under its own name.
            for name in [remote, other, digest] { _ = try engine.docker(["rmi", name]) }
            #expect(try engine.docker(["image", "inspect", remote]).status != 0, "\(remote) is still on the engine")
        }
        try forget()

        let pulled = try daemon.run("docker", ["service", "create", "--detach", "--with-registry-auth", "--name", "pulled", remote,
                                           "sleep", "1000"],
                                    environment: environment)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        try orchestration.until("the image was pulled and the task runs", timeout: 60) {
            let tasks = try orchestration.tasks(daemon, "pulled")
            #expect(!tasks.contains { $0.Status.State == "rejected" }, "\(tasks.map { $0.Status.Err ?? "" })")
            return try orchestration.running(daemon, "pulled").count == 1
        }
        #expect(try engine.docker(["image", "inspect", remote]).status == 0, "the engine now holds the pulled image")
        // The credentials went to the node, not to the API's readers.
        let inspected = try daemon.docker("service", "inspect", "pulled")
        #expect(!inspected.contains("RegistryAuth") && !inspected.contains("PullOptions"))
        let tasks = try daemon.curl(["-s", "http://localhost/tasks"]).stdout
        #expect(!tasks.contains("RegistryAuth"))
        try daemon.docker("service", "rm", "pulled")
        try orchestration.until("the pulled service is gone") { try engine.containers(ofService: "pulled").isEmpty }
        try forget()

        let byDigest = try daemon.run("docker", ["service", "create", "--detach", "--with-registry-auth", "--name", "bydigest", digest,
                                             "sleep", "1000"],
                                      environment: environment)
        #expect(byDigest.status == 0, "\(byDigest.stderr)")
        try orchestration.until("the image was pulled by digest and the task runs", timeout: 60) {
            let tasks = try orchestration.tasks(daemon, "bydigest")
            #expect(!tasks.contains { $0.Status.State == "rejected" }, "\(tasks.map { $0.Status.Err ?? "" })")
            return try orchestration.running(daemon, "bydigest").count == 1
        }
        #expect(try engine.containers(ofService: "bydigest").first?.image == digest)

        try daemon.docker("service", "create", "--detach", "--name", "noauth", "--restart-delay", "1s", other, "sleep", "1000")
        let unknown = try daemon.run("docker", ["service", "create", "--detach", "--with-registry-auth", "--name", "unknown",
                                                "--restart-delay", "1s", "\(registry.host)/ns/nope:1", "sleep", "1000"],
                                     environment: environment)
        #expect(unknown.status == 0, "\(unknown.stderr)")
        var errors: [String: String] = [:]
        try orchestration.until("both services' tasks are rejected", timeout: 60) {
            for name in ["noauth", "unknown"] {
                errors[name] = try orchestration.tasks(daemon, name).first { $0.Status.State == "rejected" }?.Status.Err
            }
            return errors.count == 2 && errors.values.allSatisfy { !$0.isEmpty }
        }
        #expect(errors["noauth"]?.contains("no basic auth credentials") == true, "\(errors)")
        #expect(errors["unknown"]?.contains("manifest unknown") == true, "\(errors)")
        for name in ["bydigest", "noauth", "unknown"] { try daemon.docker("service", "rm", name) }
    }
}
