import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia network`: create, list, inspect and remove networks.
struct NetworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Manage networks",
        discussion: "Example:\n  colmeia network create --driver overlay web",
        subcommands: [NetworkCreate.self, NetworkInspect.self, NetworkList.self, NetworkRemove.self]
    )
}

/// `colmeia network create`.
struct NetworkCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a network",
        discussion: "Example:\n  colmeia network create --driver overlay --attachable --subnet 10.10.0.0/24 web")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("d"), .customLong("driver")], help: "Driver to manage the Network") var driver = "overlay"
    @Flag(help: "Enable manual container attachment") var attachable = false
    @Flag(name: .customLong("internal"), help: "Restrict external access to the network") var isInternal = false
    @Flag(help: "Create swarm routing-mesh network") var ingress = false
    @Flag(name: .customLong("ipv6"), help: "Enable IPv6 networking") var ipv6 = false
    @Option(help: "Subnet in CIDR format that represents a network segment") var subnet: [String] = []
    @Option(help: "IPv4 or IPv6 Gateway for the master subnet") var gateway: [String] = []
    @Option(name: [.customShort("o"), .customLong("opt")], help: "Set driver specific options") var opt: [String] = []
    @Option(name: .customLong("label"), help: "Set metadata on a network") var label: [String] = []
    @Option(help: "Control the network's scope") var scope: String?
    @Argument(help: "The network's name") var name: String

    func makeRequest() throws(CLIError) -> NetworkCreateRequest {
        guard gateway.count <= subnet.count else { throw CLIError("every gateway needs a --subnet") }
        var request = NetworkCreateRequest(name: name, driver: driver, internal: isInternal, attachable: attachable, ingress: ingress,
                                           options: ServiceSpecBuilder.labels(opt), labels: ServiceSpecBuilder.labels(label))
        if let scope { request.scope = scope }
        if ipv6 { request.enableIPv6 = true }
        if !subnet.isEmpty {
            request.ipam = IPAM(driver: "default", config: subnet.enumerated().map { index, subnet in
                IPAM.Config(subnet: subnet, gateway: index < gateway.count ? gateway[index] : "")
            })
        }
        return request
    }

    func run() async throws {
        let request = try makeRequest()
        let id = try await global.withClient { try await $0.createNetwork(request) }
        Console.out(id)
    }
}

/// `colmeia network ls`.
struct NetworkList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List networks", discussion: "Example:\n  colmeia network ls --filter driver=overlay", aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate the output") var noTrunc = false

    func run() async throws {
        let filters = try list.filters()
        let networks = try await global.withClient { try await $0.networks(filters: filters) }
        Console.write(ListOutput(columns: ResourceTables.networkColumns, rows: ResourceTables.networkRows(networks, noTrunc: noTrunc))
            .render(format: list.format, quiet: list.quiet))
    }
}

/// `colmeia network inspect`.
struct NetworkInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Display detailed information on one or more networks",
        discussion: "Example:\n  colmeia network inspect ingress")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("f"), .customLong("format")], help: "Format output: json, or a template") var format: String?
    @Argument(help: "Networks") var networks: [String]

    func run() async throws {
        try await global.withClient { client in
            try await InspectRunner.run(networks, kind: "network", format: format, pretty: false,
                                        fetch: { try await client.network($0) }, render: { _ in "" })
        }
    }
}

/// `colmeia network rm`.
struct NetworkRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove one or more networks", discussion: "Example:\n  colmeia network rm web",
        aliases: ["remove"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Networks") var networks: [String]

    func run() async throws {
        try await global.withClient { client in
            try await RemoveRunner.run(networks) { try await client.removeNetwork($0) }
        }
    }
}
