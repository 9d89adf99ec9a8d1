import ColmeiaModel

extension MeshView {
    /// The mesh as the view has it: services that publish ports or join networks, each
    /// with its tasks that take connections (running, and still wanted running), the nodes
    /// that run them, and the networks. Sorted, so equal views compare equal.
    public init(_ view: ClusterView) {
        var services: [MeshService] = []
        var usedNodes: Set<String> = []
        for service in view.services.values.sorted(by: { $0.id < $1.id }) {
            let attachments = service.spec.taskTemplate.networks + service.spec.networks
            guard !service.endpoint.ports.isEmpty || !service.endpoint.virtualIPs.isEmpty || !attachments.isEmpty else { continue }
            let tasks = view.tasks(ofService: service.id)
                .filter { $0.status.state == .running && $0.desiredState == .running && !$0.nodeID.isEmpty }
                .sorted { ($0.slot, $0.id) < ($1.slot, $1.id) }
                .map { task in
                    MeshTask(id: task.id, slot: task.slot, nodeID: task.nodeID, addresses: task.networksAttachments.flatMap { attachment in
                        attachment.addresses.map { EndpointVirtualIP(networkID: attachment.network.id, addr: $0) }
                    })
                }
            usedNodes.formUnion(tasks.map(\.nodeID))
            let labels = service.spec.labels
            let proxyAll = labels[MeshPort.proxyProtocolLabel] == "v2"
            services.append(MeshService(
                id: service.id, name: service.spec.name, namespace: labels["com.docker.stack.namespace"] ?? "",
                mode: service.endpoint.spec.mode == .dnsrr ? .dnsrr : .vip,
                ports: service.endpoint.ports.map { port in
                    MeshPort(protocol: port.protocol.rawValue.isEmpty ? .tcp : port.protocol, targetPort: port.targetPort,
                             publishedPort: port.publishedPort,
                             publishMode: port.publishMode.rawValue.isEmpty ? .ingress : port.publishMode,
                             proxyProtocol: proxyAll || labels["\(MeshPort.proxyProtocolLabel).\(port.targetPort)"] == "v2")
                },
                virtualIPs: service.endpoint.virtualIPs,
                networks: attachments.map { MeshAttachment(networkID: $0.target, aliases: $0.aliases) },
                tasks: tasks))
        }
        let nodes = view.nodes.values.filter { usedNodes.contains($0.id) && !$0.description.dataPathAddress.isEmpty }
            .sorted { $0.id < $1.id }
            .map { MeshNode(id: $0.id, dataPathAddress: $0.description.dataPathAddress) }
        let networks = view.networks.values.sorted { $0.id < $1.id }.map { network in
            MeshNetwork(id: network.id, name: network.name,
                        subnet: NetworkAllocator.block(of: network)?.description ?? "", ingress: network.ingress)
        }
        self.init(services: services, nodes: nodes, networks: services.isEmpty ? [] : networks)
    }
}
