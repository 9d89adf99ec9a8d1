import ColmeiaClient
import ColmeiaModel
import Foundation

/// Creates or updates what a compose project describes under a stack's name, as
/// `docker stack deploy` does: networks, secrets, configs, then services.
struct StackDeployer {
    let stack: String
    let project: ComposeProject
    let client: ColmeiaClient

    var namespaceLabel: [String: String] { [StackLabels.namespace: stack] }

    func scoped(_ key: String) -> String { "\(stack)_\(key)" }

    func deploy(prune: Bool) async throws {
        let info = try await client.info()
        guard info["Swarm"]?["ControlAvailable"] == .bool(true) else {
            throw CLIError("this node is not a swarm manager. Use \"colmeia swarm init\" or \"colmeia swarm join\" to connect this node to swarm and try again")
        }
        let networkIDs = try await deployNetworks()
        let secretIDs = try await deployFileObjects(project.secrets, kind: "secret")
        let configIDs = try await deployFileObjects(project.configs, kind: "config")
        try await deployServices(networkIDs: networkIDs, secretIDs: secretIDs, configIDs: configIDs, prune: prune)
    }

    /// Creates missing networks (and `STACK_default` when a service needs it); returns key → id.
    func deployNetworks() async throws -> [String: String] {
        var definitions = project.networks
        let needsDefault = project.services.contains { $0.networks.isEmpty || $0.networks.contains { $0.key == "default" } }
        if needsDefault, !definitions.contains(where: { $0.key == "default" }) {
            definitions.append(.init(key: "default", name: nil, external: false, request: NetworkCreateRequest(driver: "overlay")))
        }
        let existing = try await client.networks()
        var ids: [String: String] = [:]
        for definition in definitions {
            let name = definition.name ?? scoped(definition.key)
            if let found = existing.first(where: { $0.name == name }) {
                ids[definition.key] = found.id
                continue
            }
            if definition.external {
                throw CLIError("network \"\(name)\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed")
            }
            var request = definition.request
            request.name = name
            request.labels.merge(namespaceLabel) { _, new in new }
            if request.driver.isEmpty { request.driver = "overlay" }
            Console.out("Creating network \(name)")
            ids[definition.key] = try await client.createNetwork(request)
        }
        return ids
    }

    /// Creates missing secrets or configs; returns key → (id, name).
    func deployFileObjects(_ objects: [ComposeProject.FileObject], kind: String) async throws -> [String: (String, String)] {
        var result: [String: (String, String)] = [:]
        let existing: [(id: String, name: String)] = kind == "secret"
            ? try await client.secrets().map { ($0.id, $0.spec.name) }
            : try await client.configs().map { ($0.id, $0.spec.name) }
        for object in objects {
            let name = object.name ?? (object.external ? object.key : scoped(object.key))
            if let found = existing.first(where: { $0.name == name }) {
                result[object.key] = (found.id, name)
                continue
            }
            if object.external { throw CLIError("\(kind) not found: \(name)") }
            var labels = object.labels
            labels.merge(namespaceLabel) { _, new in new }
            Console.out("Creating \(kind) \(name)")
            let id = kind == "secret"
                ? try await client.createSecret(SecretSpec(name: name, labels: labels, data: object.data))
                : try await client.createConfig(ConfigSpec(name: name, labels: labels, data: object.data))
            result[object.key] = (id, name)
        }
        return result
    }

    func deployServices(networkIDs: [String: String], secretIDs: [String: (String, String)], configIDs: [String: (String, String)],
                        prune: Bool) async throws {
        let existing = try await StackCommand.services(stack, client: client)
        for definition in project.services {
            var spec = definition.spec
            let name = scoped(definition.key)
            spec.name = name
            spec.labels.merge(namespaceLabel) { _, new in new }
            spec.labels[StackLabels.image] = spec.taskTemplate.containerSpec?.image
            var container = spec.taskTemplate.containerSpec ?? ContainerSpec()
            container.labels.merge(namespaceLabel) { _, new in new }
            container.secrets = definition.secrets.compactMap { request in
                secretIDs[request.source].map { id, secretName in
                    SecretReference(file: ReferenceFileTarget(name: request.target, uid: request.uid, gid: request.gid, mode: request.mode),
                                    secretID: id, secretName: secretName)
                }
            }
            container.configs = definition.configs.compactMap { request in
                configIDs[request.source].map { id, configName in
                    ConfigReference(file: ReferenceFileTarget(name: request.target, uid: request.uid, gid: request.gid, mode: request.mode),
                                    configID: id, configName: configName)
                }
            }
            container.mounts = definition.mounts.map { project.mount($0, stack: stack) }
            spec.taskTemplate.containerSpec = container
            let attachments = definition.networks.isEmpty ? [(key: "default", aliases: [String]())] : definition.networks
            spec.taskTemplate.networks = attachments.compactMap { attachment in
                networkIDs[attachment.key].map { NetworkAttachmentConfig(target: $0, aliases: [definition.key] + attachment.aliases) }
            }
            if let current = existing.first(where: { $0.spec.name == name }) {
                Console.out("Updating service \(name) (id: \(current.id))")
                // Keep what the orchestrator owns when the file does not say otherwise.
                if spec.taskTemplate.forceUpdate < current.spec.taskTemplate.forceUpdate {
                    spec.taskTemplate.forceUpdate = current.spec.taskTemplate.forceUpdate
                }
                let warnings = try await client.updateService(current.id, version: current.version.index, spec: spec)
                for warning in warnings { Console.error(warning) }
            } else {
                Console.out("Creating service \(name)")
                _ = try await client.createService(spec)
            }
        }
        if prune {
            let wanted = Set(project.services.map { scoped($0.key) })
            for service in existing where !wanted.contains(service.spec.name) {
                Console.out("Removing service \(service.spec.name)")
                try await client.removeService(service.id)
            }
        }
    }
}
