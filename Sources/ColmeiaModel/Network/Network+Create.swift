extension Network {
    /// The network a create request describes, as the cluster stores it: swarm scope,
    /// `overlay` by default, IPAM driver `default` unless one is given.
    public init(request: NetworkCreateRequest, id: String, created: Timestamp) {
        var ipam = request.ipam ?? IPAM()
        if ipam.driver.isEmpty { ipam.driver = "default" }
        self.init(
            name: request.name, id: id, created: created, scope: "swarm",
            driver: request.driver.isEmpty ? "overlay" : request.driver,
            enableIPv4: request.enableIPv4 ?? true, enableIPv6: request.enableIPv6 ?? false,
            ipam: ipam, internal: request.internal, attachable: request.attachable,
            ingress: request.ingress, configFrom: request.configFrom ?? NetworkConfigReference(),
            configOnly: request.configOnly, containers: [:], options: request.options,
            labels: request.labels)
    }
}
