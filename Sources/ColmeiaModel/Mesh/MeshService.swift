/// A service as the mesh routes to it.
public struct MeshService: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// The stack it belongs to (`com.docker.stack.namespace`), if any.
    public var namespace: String
    /// `vip` (a virtual IP per network) or `dnsrr` (names resolve to the tasks' addresses).
    public var mode: ResolutionMode
    public var ports: [MeshPort]
    public var virtualIPs: [EndpointVirtualIP]
    /// The networks its tasks join, with the extra names they answer to there.
    public var networks: [MeshAttachment]
    /// Its tasks that take new connections (running, and wanted running).
    public var tasks: [MeshTask]

    public init(id: String, name: String, namespace: String = "", mode: ResolutionMode = .vip, ports: [MeshPort] = [],
                virtualIPs: [EndpointVirtualIP] = [], networks: [MeshAttachment] = [], tasks: [MeshTask] = []) {
        self.id = id
        self.name = name
        self.namespace = namespace
        self.mode = mode
        self.ports = ports
        self.virtualIPs = virtualIPs
        self.networks = networks
        self.tasks = tasks
    }
}
