import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia stack`: deploy compose v3 files and manage what they created.
struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract: "Manage Swarm stacks",
        discussion: "Example:\n  colmeia stack deploy -c docker-compose.yml web",
        subcommands: [StackDeploy.self, StackList.self, StackPs.self, StackRemove.self, StackServices.self]
    )

    /// The services of a stack (by their namespace label).
    static func services(_ stack: String, client: ColmeiaClient, status: Bool = false) async throws -> [Service] {
        try await client.services(filters: ["label": ["\(StackLabels.namespace)=\(stack)"]], status: status)
            .filter { $0.spec.labels[StackLabels.namespace] == stack }
    }
}

/// `colmeia stack deploy -c FILE STACK`.
struct StackDeploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Deploy a new stack or update an existing stack",
        discussion: "Example:\n  colmeia stack deploy --compose-file docker-compose.yml web\n  TAG=2 colmeia stack deploy -c docker-compose.yml --prune web",
        aliases: ["up"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("c"), .customLong("compose-file")], help: "Path to a Compose file, or \"-\" to read from stdin")
    var composeFile: [String] = []
    @Flag(help: "Prune services that are no longer referenced") var prune = false
    @Option(name: .customLong("resolve-image"), help: "Query the registry to resolve image digest and supported platforms (\"always\", \"changed\", \"never\")")
    var resolveImage = "never"
    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Exit immediately instead of waiting for the stack services to converge (the default)")
    var detach = false
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Suppress progress output") var quiet = false
    @Argument(help: "The stack's name") var stack: String

    func validate() throws {
        if composeFile.isEmpty { throw ValidationError("Please specify a Compose file (with --compose-file).") }
    }

    func run() async throws {
        guard stack.range(of: "^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", options: .regularExpression) != nil else {
            throw CLIError("invalid stack name: \"\(stack)\"")
        }
        var project = ComposeProject()
        for path in composeFile {
            let loaded: ComposeProject
            if path == "-" {
                let text = String(decoding: Console.readStandardInput(), as: UTF8.self)
                loaded = try ComposeLoader.parse(text, fileName: "-", directory: FileManager.default.currentDirectoryPath,
                                                 environment: ProcessInfo.processInfo.environment)
            } else {
                loaded = try ComposeLoader.load(path: path, environment: ProcessInfo.processInfo.environment)
            }
            project.services += loaded.services
            project.networks += loaded.networks
            project.secrets += loaded.secrets
            project.configs += loaded.configs
            project.volumes += loaded.volumes
            project.warnings += loaded.warnings
        }
        for warning in project.warnings { Console.error(warning) }
        try await global.withClient { client in
            try await StackDeployer(stack: stack, project: project, client: client).deploy(prune: prune)
        }
    }
}

/// `colmeia stack ls`.
struct StackList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List stacks", discussion: "Example:\n  colmeia stack ls", aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "Format output: table (default), json, or a template such as '{{.Name}}'") var format: String?

    func run() async throws {
        let services = try await global.withClient { try await $0.services(filters: ["label": [StackLabels.namespace]]) }
        Console.write(ListOutput(columns: ResourceTables.stackColumns, rows: ResourceTables.stackRows(services))
            .render(format: format, quiet: false))
    }
}

/// `colmeia stack services STACK`.
struct StackServices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services", abstract: "List the services in the stack", discussion: "Example:\n  colmeia stack services web")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Argument(help: "The stack") var stack: String

    func run() async throws {
        let services = try await global.withClient { try await StackCommand.services(stack, client: $0, status: true) }
        guard !services.isEmpty else {
            Console.error("Nothing found in stack: \(stack)")
            return
        }
        Console.write(ListOutput(columns: ResourceTables.serviceColumns, rows: ResourceTables.serviceRows(services))
            .render(format: list.format, quiet: list.quiet))
    }
}

/// `colmeia stack ps STACK`.
struct StackPs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps", abstract: "List the tasks in the stack", discussion: "Example:\n  colmeia stack ps web")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate output") var noTrunc = false
    @Argument(help: "The stack") var stack: String

    func run() async throws {
        var filters = try list.filters()
        let output = try await global.withClient { client -> String? in
            let services = try await StackCommand.services(stack, client: client)
            guard !services.isEmpty else { return nil }
            filters["service"] = services.map(\.id)
            let tasks = try await client.tasks(filters: filters)
            let nodes = try await client.nodes()
            let rows = ResourceTables.taskRows(
                tasks, serviceNames: Dictionary(services.map { ($0.id, $0.spec.name) }, uniquingKeysWith: { a, _ in a }),
                nodeNames: Dictionary(nodes.map { ($0.id, $0.description.hostname) }, uniquingKeysWith: { a, _ in a }),
                noTrunc: noTrunc, now: Date())
            return ListOutput(columns: ResourceTables.taskColumns, rows: rows).render(format: list.format, quiet: list.quiet)
        }
        guard let output else { throw CLIError("nothing found in stack: \(stack)") }
        Console.write(output)
    }
}

/// `colmeia stack rm STACK`: its services, then secrets, configs and networks.
struct StackRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove one or more stacks", discussion: "Example:\n  colmeia stack rm web",
        aliases: ["remove", "down"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Stacks") var stacks: [String]

    func run() async throws {
        try await global.withClient { client in
            var failed = false
            for stack in stacks {
                let label = ["label": ["\(StackLabels.namespace)=\(stack)"]]
                let services = try await StackCommand.services(stack, client: client)
                let secrets = try await client.secrets(filters: label).filter { $0.spec.labels[StackLabels.namespace] == stack }
                let configs = try await client.configs(filters: label).filter { $0.spec.labels[StackLabels.namespace] == stack }
                let networks = try await client.networks(filters: label).filter { $0.labels[StackLabels.namespace] == stack }
                if services.isEmpty && secrets.isEmpty && configs.isEmpty && networks.isEmpty {
                    Console.error("Nothing found in stack: \(stack)")
                    continue
                }
                for service in services.sorted(by: { $0.spec.name < $1.spec.name }) {
                    Console.out("Removing service \(service.spec.name)")
                    do { try await client.removeService(service.id) } catch let error as ColmeiaClientError {
                        Console.error("Failed to remove service \(service.spec.name): \(error.description)")
                        failed = true
                    }
                }
                for secret in secrets {
                    Console.out("Removing secret \(secret.spec.name)")
                    do { try await client.removeSecret(secret.id) } catch let error as ColmeiaClientError {
                        Console.error("Failed to remove secret \(secret.spec.name): \(error.description)")
                        failed = true
                    }
                }
                for config in configs {
                    Console.out("Removing config \(config.spec.name)")
                    do { try await client.removeConfig(config.id) } catch let error as ColmeiaClientError {
                        Console.error("Failed to remove config \(config.spec.name): \(error.description)")
                        failed = true
                    }
                }
                for network in networks {
                    Console.out("Removing network \(network.name)")
                    do { try await client.removeNetwork(network.id) } catch let error as ColmeiaClientError {
                        Console.error("Failed to remove network \(network.name): \(error.description)")
                        failed = true
                    }
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
