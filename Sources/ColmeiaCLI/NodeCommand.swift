import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia node`: list, inspect, update, promote, demote and remove nodes.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Manage Swarm nodes",
        discussion: "Example:\n  colmeia node ls",
        subcommands: [NodeDemote.self, NodeInspect.self, NodeList.self, NodePromote.self, NodePs.self, NodeRemove.self, NodeUpdate.self]
    )

    /// The id of the node the daemon runs on (for `*` and `self`).
    static func currentNodeID(_ client: ColmeiaClient) async throws -> String {
        try await client.info()["Swarm"]?["NodeID"]?.stringValue ?? ""
    }

    /// Changes a node's spec with optimistic concurrency.
    static func update(_ reference: String, client: ColmeiaClient, change: (inout NodeSpec) throws -> Void) async throws {
        let node = try await client.node(reference)
        var spec = node.spec
        try change(&spec)
        try await client.updateNode(node.id, version: node.version.index, spec: spec)
    }
}

/// `colmeia node ls`.
struct NodeList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List nodes in the swarm", discussion: "Example:\n  colmeia node ls --filter role=manager",
        aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Option(help: "As the swarm stood at this log index, or time (RFC 3339, or a duration back from now such as 1h)") var at: String?

    func run() async throws {
        let filters = try list.filters()
        let at = try AtArgument.parse(at)
        let (nodes, current) = try await global.withClient { client in
            (try await client.nodes(filters: filters, at: at), try await NodeCommand.currentNodeID(client))
        }
        var rows = ResourceTables.nodeRows(nodes, currentNodeID: current)
        if list.quiet { rows = rows.map { var row = $0; row["ID"] = row["ID"]?.replacingOccurrences(of: " *", with: ""); return row } }
        if list.format == "json" { rows = rows.map { var row = $0; row["ID"] = row["ID"]?.replacingOccurrences(of: " *", with: ""); return row } }
        Console.write(ListOutput(columns: ResourceTables.nodeColumns, rows: rows).render(format: list.format, quiet: list.quiet))
    }
}

/// `colmeia node inspect`.
struct NodeInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Display detailed information on one or more nodes",
        discussion: "Example:\n  colmeia node inspect --pretty self")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var options: InspectOptions
    @Argument(help: "Nodes (ids, id prefixes, hostnames, or self)") var nodes: [String]

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("\"colmeia node inspect\" requires at least 1 argument") }
    }

    func run() async throws {
        try await global.withClient { client in
            let current = nodes.contains("self") ? try await NodeCommand.currentNodeID(client) : ""
            try await InspectRunner.run(nodes, kind: "node", format: options.format, pretty: options.pretty,
                                        fetch: { try await client.node($0 == "self" ? current : $0) }, render: PrettyInspect.node)
        }
    }
}

/// `colmeia node update`.
struct NodeUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Update a node",
        discussion: "Example:\n  colmeia node update --availability drain worker-1\n  colmeia node update --label-add zone=east worker-1")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "Availability of the node (\"active\", \"pause\", \"drain\")") var availability: String?
    @Option(help: "Role of the node (\"worker\", \"manager\")") var role: String?
    @Option(name: .customLong("label-add"), help: "Add or update a node label (key=value)") var labelAdd: [String] = []
    @Option(name: .customLong("label-rm"), help: "Remove a node label if exists") var labelRemove: [String] = []
    @Argument(help: "The node") var node: String

    func validate() throws {
        if let availability, !["active", "pause", "drain"].contains(availability) {
            throw ValidationError("invalid argument \"\(availability)\" for \"--availability\" flag: must be one of active, pause, drain")
        }
        if let role, !["worker", "manager"].contains(role) {
            throw ValidationError("invalid argument \"\(role)\" for \"--role\" flag: must be one of worker, manager")
        }
    }

    func run() async throws {
        try await global.withClient { client in
            let reference = node == "self" ? try await NodeCommand.currentNodeID(client) : node
            try await NodeCommand.update(reference, client: client) { spec in
                if let availability { spec.availability = NodeAvailability(rawValue: availability) }
                if let role { spec.role = NodeRole(rawValue: role) }
                for key in labelRemove {
                    guard spec.labels[key] != nil else { throw CLIError("key \(key) doesn't exist in node's labels") }
                    spec.labels[key] = nil
                }
                spec.labels.merge(ServiceSpecBuilder.labels(labelAdd)) { _, new in new }
            }
            Console.out(node)
        }
    }
}

/// `node promote` and `node demote`: each node's spec with the new role, docker's lines.
private func setRole(_ role: NodeRole, of nodes: [String], global: GlobalOptions,
                     already: @escaping @Sendable (String) -> String,
                     changed: @escaping @Sendable (String) -> String) async throws {
    try await global.withClient { client in
        for reference in nodes {
            let node = try await client.node(reference)
            if node.spec.role == role {
                Console.out(already(reference))
                continue
            }
            var spec = node.spec
            spec.role = role
            try await client.updateNode(node.id, version: node.version.index, spec: spec)
            Console.out(changed(reference))
        }
    }
}

/// `colmeia node promote`.
struct NodePromote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Promote one or more nodes to manager in the swarm",
        discussion: "Example:\n  colmeia node promote worker-1")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Nodes") var nodes: [String]

    func run() async throws {
        try await setRole(.manager, of: nodes, global: global,
                          already: { "Node \($0) is already a manager." },
                          changed: { "Node \($0) promoted to a manager in the swarm." })
    }
}

/// `colmeia node demote`.
struct NodeDemote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demote", abstract: "Demote one or more nodes from manager in the swarm",
        discussion: "Example:\n  colmeia node demote manager-2")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Nodes") var nodes: [String]

    func run() async throws {
        try await setRole(.worker, of: nodes, global: global,
                          already: { "Node \($0) is already a worker." },
                          changed: { "Manager \($0) demoted in the swarm." })
    }
}

/// `colmeia node rm`.
struct NodeRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove one or more nodes from the swarm", discussion: "Example:\n  colmeia node rm --force worker-1",
        aliases: ["remove"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(name: [.customShort("f"), .customLong("force")], help: "Force remove a node from the swarm") var force = false
    @Argument(help: "Nodes") var nodes: [String]

    func run() async throws {
        try await global.withClient { client in
            try await RemoveRunner.run(nodes) { try await client.removeNode($0, force: force) }
        }
    }
}

/// `colmeia node ps`: the tasks on one or more nodes (default: this one).
struct NodePs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps", abstract: "List tasks running on one or more nodes, defaults to current node",
        discussion: "Example:\n  colmeia node ps self\n  colmeia node ps --filter desired-state=running worker-1")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate output") var noTrunc = false
    @Argument(help: "Nodes") var nodes: [String] = []

    func run() async throws {
        var filters = try list.filters()
        let output = try await global.withClient { client -> String in
            let current = try await NodeCommand.currentNodeID(client)
            var ids: [String] = []
            for reference in nodes.isEmpty ? ["self"] : nodes {
                ids.append(reference == "self" ? current : try await client.node(reference).id)
            }
            filters["node"] = ids
            let tasks = try await client.tasks(filters: filters)
            let services = try await client.services()
            let nodeList = try await client.nodes()
            let rows = ResourceTables.taskRows(
                tasks, serviceNames: Dictionary(services.map { ($0.id, $0.spec.name) }, uniquingKeysWith: { a, _ in a }),
                nodeNames: Dictionary(nodeList.map { ($0.id, $0.description.hostname) }, uniquingKeysWith: { a, _ in a }),
                noTrunc: noTrunc, now: Date())
            return ListOutput(columns: ResourceTables.taskColumns, rows: rows).render(format: list.format, quiet: list.quiet)
        }
        Console.write(output)
    }
}
