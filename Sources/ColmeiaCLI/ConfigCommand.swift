import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia config`: create, list, inspect and remove configs.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Manage Swarm configs",
        discussion: "Example:\n  colmeia config create nginx_conf ./nginx.conf",
        subcommands: [ConfigCreate.self, ConfigInspect.self, ConfigList.self, ConfigRemove.self]
    )
}

/// `colmeia config create NAME FILE|-`.
struct ConfigCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a config from a file or STDIN",
        discussion: "Example:\n  colmeia config create nginx_conf ./nginx.conf\n  echo 'key=value' | colmeia config create app_conf -")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("l"), .customLong("label")], help: "Config labels") var label: [String] = []
    @Option(name: .customLong("template-driver"), help: "Template driver") var templateDriver: String?
    @Argument(help: "The config's name") var name: String
    @Argument(help: "A file, or - for standard input") var file: String

    func run() async throws {
        var spec = ConfigSpec(name: name, labels: ServiceSpecBuilder.labels(label))
        spec.data = try FileInput.read(file)
        if let templateDriver { spec.templating = Driver(name: templateDriver) }
        let id = try await global.withClient { try await $0.createConfig(spec) }
        Console.out(id)
    }
}

/// `colmeia config ls`.
struct ConfigList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List configs", discussion: "Example:\n  colmeia config ls -q", aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Option(help: "As the swarm stood at this log index, or time (RFC 3339, or a duration back from now such as 1h)") var at: String?

    func run() async throws {
        let filters = try list.filters()
        let at = try AtArgument.parse(at)
        let configs = try await global.withClient { try await $0.configs(filters: filters, at: at) }
        Console.write(ListOutput(columns: ResourceTables.configColumns, rows: ResourceTables.configRows(configs, now: Date()))
            .render(format: list.format, quiet: list.quiet))
    }
}

/// `colmeia config inspect`.
struct ConfigInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Display detailed information on one or more configs",
        discussion: "Example:\n  colmeia config inspect --pretty nginx_conf")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var options: InspectOptions
    @Argument(help: "Configs (names, ids or id prefixes)") var configs: [String]

    func run() async throws {
        try await global.withClient { client in
            try await InspectRunner.run(configs, kind: "config", format: options.format, pretty: options.pretty,
                                        fetch: { try await client.config($0) }, render: PrettyInspect.config)
        }
    }
}

/// `colmeia config rm`.
struct ConfigRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove one or more configs", discussion: "Example:\n  colmeia config rm nginx_conf",
        aliases: ["remove"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Configs") var configs: [String]

    func run() async throws {
        try await global.withClient { client in
            try await RemoveRunner.run(configs) { try await client.removeConfig($0) }
        }
    }
}
