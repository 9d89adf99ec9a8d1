extension AttachedNetwork {
    /// A cluster network as a task's `NetworksAttachments` show it (SwarmKit's shape).
    public init(_ network: Network) {
        self.init(
            id: network.id, version: network.version ?? Version(), createdAt: network.created, updatedAt: network.created,
            spec: Spec(name: network.name, labels: network.labels,
                       driverConfiguration: Driver(name: network.driver, options: network.options),
                       internal: network.internal, attachable: network.attachable, ingress: network.ingress,
                       ipamOptions: IPAMOptions(driver: Driver(name: network.ipam.driver.isEmpty ? "default" : network.ipam.driver),
                                                configs: network.ipam.config.map { IPAMOptions.Config(subnet: $0.subnet, range: $0.ipRange, gateway: $0.gateway) }),
                       scope: "swarm"),
            driverState: Driver(name: network.driver, options: network.options),
            ipamOptions: IPAMOptions(driver: Driver(name: network.ipam.driver.isEmpty ? "default" : network.ipam.driver),
                                     configs: network.ipam.config.map { IPAMOptions.Config(subnet: $0.subnet, range: $0.ipRange, gateway: $0.gateway) }))
    }
}
