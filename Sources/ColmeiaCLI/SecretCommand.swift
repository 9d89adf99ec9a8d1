import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia secret`: create, list, inspect and remove secrets.
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Manage Swarm secrets",
        discussion: "Example:\n  printf s3cret | colmeia secret create db_password -",
        subcommands: [SecretCreate.self, SecretInspect.self, SecretList.self, SecretRemove.self]
    )
}

/// `colmeia secret create NAME FILE|-`.
struct SecretCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a secret from a file or STDIN as content",
        discussion: "Example:\n  colmeia secret create db_password ./password.txt\n  printf s3cret | colmeia secret create db_password -")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("l"), .customLong("label")], help: "Secret labels") var label: [String] = []
    @Option(name: [.customShort("d"), .customLong("driver")], help: "Secret driver") var driver: String?
    @Option(name: .customLong("template-driver"), help: "Template driver") var templateDriver: String?
    @Argument(help: "The secret's name") var name: String
    @Argument(help: "A file, or - for standard input") var file: String?

    func run() async throws {
        var spec = SecretSpec(name: name, labels: ServiceSpecBuilder.labels(label))
        if let driver {
            spec.driver = Driver(name: driver)
        } else {
            guard let file else { throw CLIError("\"colmeia secret create\" requires a file or - (standard input) when no driver is given") }
            spec.data = try FileInput.read(file)
        }
        if let templateDriver { spec.templating = Driver(name: templateDriver) }
        let id = try await global.withClient { try await $0.createSecret(spec) }
        Console.out(id)
    }
}

/// `colmeia secret ls`.
struct SecretList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List secrets", discussion: "Example:\n  colmeia secret ls --format json", aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Option(help: "As the swarm stood at this log index, or time (RFC 3339, or a duration back from now such as 1h)") var at: String?

    func run() async throws {
        let filters = try list.filters()
        let at = try AtArgument.parse(at)
        let secrets = try await global.withClient { try await $0.secrets(filters: filters, at: at) }
        Console.write(ListOutput(columns: ResourceTables.secretColumns, rows: ResourceTables.secretRows(secrets, now: Date()))
            .render(format: list.format, quiet: list.quiet))
    }
}

/// `colmeia secret inspect`.
struct SecretInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Display detailed information on one or more secrets",
        discussion: "Example:\n  colmeia secret inspect --pretty db_password")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var options: InspectOptions
    @Argument(help: "Secrets (names, ids or id prefixes)") var secrets: [String]

    func run() async throws {
        try await global.withClient { client in
            try await InspectRunner.run(secrets, kind: "secret", format: options.format, pretty: options.pretty,
                                        fetch: { try await client.secret($0) }, render: PrettyInspect.secret)
        }
    }
}

/// `colmeia secret rm`.
struct SecretRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove one or more secrets", discussion: "Example:\n  colmeia secret rm db_password",
        aliases: ["remove"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Secrets") var secrets: [String]

    func run() async throws {
        try await global.withClient { client in
            try await RemoveRunner.run(secrets) { try await client.removeSecret($0) }
        }
    }
}
