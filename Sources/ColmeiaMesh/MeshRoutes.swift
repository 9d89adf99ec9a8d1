import ColmeiaModel

/// The mesh view as lookups, for one node: published ports to services, service and task
/// addresses to what they lead to, nodes to their data paths. Immutable; the mesh swaps in
/// a new one with every view.
struct MeshRoutes: Sendable {
    struct PortKey: Hashable, Sendable {
        var `protocol`: String
        var port: Int
    }

    /// What a service address (a virtual IP or a task's address) leads to.
    enum Destination: Sendable, Hashable {
        /// Any task of the service (its virtual IP on `network`).
        case service(String, network: String)
        /// One task (its address on `network`).
        case task(service: String, task: String, network: String)
    }

    let view: MeshView
    let services: [String: MeshService]
    /// Data path address of each node.
    let nodes: [String: String]
    /// Ports published through the mesh on every node.
    let ingress: [PortKey: (service: String, port: MeshPort)]
    /// Service and task addresses.
    let addresses: [UInt32: Destination]
    /// The service of each task.
    let serviceOfTask: [String: String]

    init(_ view: MeshView = MeshView()) {
        self.view = view
        services = Dictionary(view.services.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        nodes = Dictionary(view.nodes.map { ($0.id, $0.dataPathAddress) }, uniquingKeysWith: { first, _ in first })
        var ingress: [PortKey: (String, MeshPort)] = [:]
        var addresses: [UInt32: Destination] = [:]
        var serviceOfTask: [String: String] = [:]
        for service in view.services {
            for task in service.tasks { serviceOfTask[task.id] = service.id }
            for port in service.ports where port.publishMode == .ingress && port.publishedPort > 0 {
                ingress[PortKey(protocol: port.protocol.rawValue, port: Int(port.publishedPort))] = (service.id, port)
            }
            for vip in service.virtualIPs {
                if let address = IPv4Subnet.address(ofCIDR: vip.addr) { addresses[address] = .service(service.id, network: vip.networkID) }
            }
            for task in service.tasks {
                for attachment in task.addresses {
                    if let address = IPv4Subnet.address(ofCIDR: attachment.addr) {
                        addresses[address] = .task(service: service.id, task: task.id, network: attachment.networkID)
                    }
                }
            }
        }
        self.ingress = ingress
        self.addresses = addresses
        self.serviceOfTask = serviceOfTask
    }

    /// The networks a service's tasks join.
    func networks(ofService id: String) -> Set<String> {
        Set(services[id]?.networks.map(\.networkID) ?? [])
    }

    /// The service of a task that runs here.
    func service(ofTask taskID: String) -> MeshService? {
        serviceOfTask[taskID].flatMap { services[$0] }
    }
}
