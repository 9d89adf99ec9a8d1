import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia service`: create, inspect, update, scale, roll back and remove services.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Manage Swarm services",
        discussion: "Example:\n  colmeia service ls",
        subcommands: [ServiceCreate.self, ServiceDiff.self, ServiceHistory.self, ServiceInspect.self, ServiceLogs.self,
                      ServiceList.self, ServicePs.self, ServiceRemove.self, ServiceRollback.self, ServiceScale.self,
                      ServiceUpdate.self]
    )
}

/// `colmeia service ls`.
struct ServiceList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List services", discussion: "Example:\n  colmeia service ls --filter name=web --format json",
        aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Option(help: "As the swarm stood at this log index, or time (RFC 3339, or a duration back from now such as 1h)") var at: String?

    func run() async throws {
        let filters = try list.filters()
        let at = try AtArgument.parse(at)
        let services = try await global.withClient { try await $0.services(filters: filters, status: true, at: at) }
        Console.write(ListOutput(columns: ResourceTables.serviceColumns, rows: ResourceTables.serviceRows(services))
            .render(format: list.format, quiet: list.quiet))
    }
}

/// `colmeia service ps`: the tasks of one or more services, with their history.
struct ServicePs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps", abstract: "List the tasks of one or more services",
        discussion: "Example:\n  colmeia service ps web\n  colmeia service ps --filter desired-state=running web")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate output") var noTrunc = false
    @Flag(name: .customLong("no-resolve"), help: "Do not map IDs to Names") var noResolve = false
    @Argument(help: "Services (names, ids or id prefixes)") var services: [String]

    func validate() throws {
        if services.isEmpty { throw ValidationError("\"colmeia service ps\" requires at least 1 argument") }
    }

    func run() async throws {
        var filters = try list.filters()
        let output = try await global.withClient { client -> String in
            var ids: [String] = []
            var names: [String: String] = [:]
            for reference in services {
                do {
                    let service = try await client.service(reference)
                    ids.append(service.id)
                    names[service.id] = service.spec.name
                } catch let error as ColmeiaClientError where error.status == 404 {
                    throw CLIError("no such service: \(reference)")
                }
            }
            filters["service"] = ids
            let tasks = try await client.tasks(filters: filters)
            let nodes = noResolve ? [] : try await client.nodes()
            let nodeNames = Dictionary(nodes.map { ($0.id, $0.description.hostname) }, uniquingKeysWith: { a, _ in a })
            let rows = ResourceTables.taskRows(tasks, serviceNames: noResolve ? [:] : names,
                                               nodeNames: noResolve ? Dictionary(tasks.map { ($0.nodeID, $0.nodeID) }, uniquingKeysWith: { a, _ in a }) : nodeNames,
                                               noTrunc: noTrunc, now: Date())
            return ListOutput(columns: ResourceTables.taskColumns, rows: rows).render(format: list.format, quiet: list.quiet)
        }
        Console.write(output)
    }
}

/// `colmeia service inspect`.
struct ServiceInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Display detailed information on one or more services",
        discussion: "Example:\n  colmeia service inspect --pretty web")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var options: InspectOptions
    @Option(help: "As the service stood at this log index, or time (RFC 3339, or a duration back from now such as 1h)") var at: String?
    @Argument(help: "Services (names, ids or id prefixes)") var services: [String]

    func validate() throws {
        if services.isEmpty { throw ValidationError("\"colmeia service inspect\" requires at least 1 argument") }
    }

    func run() async throws {
        let at = try AtArgument.parse(at)
        try await global.withClient { client in
            try await InspectRunner.run(services, kind: "service", format: options.format, pretty: options.pretty,
                                        fetch: { try await client.service($0, at: at) }, render: PrettyInspect.service)
        }
    }
}

/// `colmeia service rm`.
struct ServiceRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove one or more services", discussion: "Example:\n  colmeia service rm web",
        aliases: ["remove"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Services (names, ids or id prefixes)") var services: [String]

    func validate() throws {
        if services.isEmpty { throw ValidationError("\"colmeia service rm\" requires at least 1 argument") }
    }

    func run() async throws {
        try await global.withClient { client in
            try await RemoveRunner.run(services) { try await client.removeService($0) }
        }
    }
}

/// `colmeia service scale web=3 api=2`.
struct ServiceScale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale", abstract: "Scale one or multiple replicated services",
        discussion: "Example:\n  colmeia service scale web=6 api=2")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Exit immediately instead of waiting for the service to converge")
    var detach = false
    @Argument(help: "SERVICE=REPLICAS pairs") var scales: [String]

    /// The pairs, checked before anything is sent.
    func pairs() throws(CLIError) -> [(String, UInt64)] {
        guard !scales.isEmpty else { throw CLIError("\"colmeia service scale\" requires at least 1 argument") }
        var result: [(String, UInt64)] = []
        for text in scales {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw CLIError("invalid scale specifier '\(text)'. See 'colmeia service scale --help'.")
            }
            guard let replicas = UInt64(parts[1]) else { throw CLIError("invalid replicas value \(parts[1]): must be a non-negative integer") }
            result.append((parts[0], replicas))
        }
        return result
    }

    func run() async throws {
        let pairs = try pairs()
        try await global.withClient { client in
            var failed = false
            var scaled: [String] = []
            for (reference, replicas) in pairs {
                do {
                    let service = try await client.service(reference)
                    guard service.spec.mode.replicated != nil || service.spec.mode.replicatedJob != nil else {
                        throw CLIError("scale can only be used with replicated or replicated-job mode")
                    }
                    var spec = service.spec
                    spec.mode = ServiceMode(replicated: .init(replicas: Int64(replicas)))
                    try await client.updateService(service.id, version: service.version.index, spec: spec)
                    Console.out("\(reference) scaled to \(replicas)")
                    scaled.append(service.id)
                } catch let error as ColmeiaClientError {
                    Console.error(error.description)
                    failed = true
                } catch let error as CLIError {
                    Console.error(error.message)
                    failed = true
                }
            }
            for id in scaled {
                try await ServiceWatch.follow(client: client, serviceID: id, detach: detach, quiet: false)
            }
            if failed { throw ExitCode(1) }
        }
    }
}

/// `colmeia service rollback`: back to the previous spec.
struct ServiceRollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Revert changes to a service's configuration",
        discussion: """
            Without --to-version, back to the previous spec (as docker does); with it, to any
            earlier version that `colmeia service history` lists.
            Example:
              colmeia service rollback web
              colmeia service rollback web --to-version 2
            """)

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Exit immediately instead of waiting for the service to converge")
    var detach = false
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Suppress progress output") var quiet = false
    @Option(help: "The version to restore (from `colmeia service history`)") var toVersion: Int?
    @Argument(help: "The service") var service: String

    func run() async throws {
        try await global.withClient { client in
            let current = try await client.service(service)
            if let toVersion {
                let history = try await client.serviceHistory(current.id)
                let versions = history["Versions"]?.arrayValue ?? []
                guard let version = versions.first(where: { $0["Version"].map(AuditList.text) == String(toVersion) }),
                      let spec = version["Spec"] else {
                    throw CLIError("service \(current.spec.name) has no version \(toVersion) (it has 1 to \(versions.count))")
                }
                let restored = try JSONDecoder().decode(ServiceSpec.self, from: JSONEncoder().encode(spec))
                try await client.updateService(current.id, version: current.version.index, spec: restored)
            } else {
                try await client.updateService(current.id, version: current.version.index, spec: current.spec, rollback: true)
            }
            Console.out(current.spec.name)
            try await ServiceWatch.follow(client: client, serviceID: current.id, detach: detach, quiet: quiet)
        }
    }
}

/// `colmeia service logs`: every task's output, prefixed with `web.1.TASKID@node    | `.
struct ServiceLogs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Fetch the logs of a service or task",
        discussion: "Example:\n  colmeia service logs --tail 20 -f web")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Follow log output") var follow = false
    @Flag(name: [.customShort("t"), .customLong("timestamps")], help: "Show timestamps") var timestamps = false
    @Option(name: [.customShort("n"), .customLong("tail")], help: "Number of lines to show from the end of the logs") var tail = "all"
    @Option(help: "Show logs since timestamp or relative (e.g. 42m for 42 minutes)") var since: String?
    @Flag(name: .customLong("no-task-ids"), help: "Do not include task IDs in output") var noTaskIDs = false
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate output") var noTrunc = false
    @Flag(help: "Do not neatly format logs") var raw = false
    @Argument(help: "The service or task") var target: String

    func run() async throws {
        var options = LogOptions()
        options.follow = follow
        options.timestamps = timestamps
        if tail != "all" {
            guard let count = Int(tail), count >= 0 else { throw CLIError("invalid argument \"\(tail)\" for \"-n, --tail\" flag") }
            options.tail = count
        }
        options.since = try since.map { text throws(CLIError) in try TimeArgument.parse(text, flag: "since") }
        try await global.withClient { client in
            var serviceNames: [String: String] = [:]
            var tasks: [String: SwarmTask] = [:]
            var nodeNames: [String: String] = [:]
            let isService: Bool
            let serviceID: String
            if let service = try? await client.service(target) {
                isService = true
                serviceID = service.id
                serviceNames[service.id] = service.spec.name
            } else {
                let task = try await client.task(target)
                isService = false
                serviceID = task.serviceID
                if let service = try? await client.service(task.serviceID) { serviceNames[service.id] = service.spec.name }
            }
            for node in try await client.nodes() { nodeNames[node.id] = node.description.hostname }
            for task in try await client.tasks(filters: ["service": [serviceID]]) { tasks[task.id] = task }
            let handle: (LogLine) async throws -> Void = { line in
                var text = line.text
                if !raw, let taskID = line.details["com.docker.swarm.task.id"] {
                    if tasks[taskID] == nil, let task = try? await client.task(taskID) { tasks[taskID] = task }
                    let task = tasks[taskID]
                    let service = serviceNames[line.details["com.docker.swarm.service.id"] ?? ""] ?? ""
                    let slot = task.map { $0.slot != 0 ? String($0.slot) : $0.nodeID } ?? ""
                    var name = "\(service).\(slot)"
                    if !noTaskIDs { name += "." + ResourceTables.shortID(taskID, noTrunc: noTrunc) }
                    name += "@" + (nodeNames[line.details["com.docker.swarm.node.id"] ?? ""] ?? "")
                    text = name + "    | " + text
                }
                if line.stream == 2 { Console.error(text) } else { Console.out(text) }
            }
            if isService {
                try await client.serviceLogs(serviceID, options: options, handle: handle)
            } else {
                try await client.taskLogs(target, options: options, handle: handle)
            }
        }
    }
}
