/// What every node needs to route service traffic (the routing mesh, virtual IPs, names):
/// the services that publish ports or join networks, their tasks that take connections,
/// and where the nodes running them are reached. The dispatcher sends it with every
/// node's assignments; it changes when such a service, task or node does.
public struct MeshView: Sendable, Hashable, Codable {
    public var services: [MeshService]
    public var nodes: [MeshNode]
    public var networks: [MeshNetwork]

    public init(services: [MeshService] = [], nodes: [MeshNode] = [], networks: [MeshNetwork] = []) {
        self.services = services
        self.nodes = nodes
        self.networks = networks
    }

    public var isEmpty: Bool { services.isEmpty }
}
