import ColmeiaModel

/// What a name means to one task: services and their tasks on the networks that task
/// joins — nothing beyond them. `NAME` is a service (its name, or an alias it has on a
/// shared network, such as a stack service's short name) and answers its virtual IP there,
/// or its tasks' addresses in `dnsrr` mode; `tasks.NAME` answers the addresses of its tasks.
enum MeshNames {
    enum Answer: Equatable {
        /// The name is a service the asker can see: these addresses (maybe none, e.g. no task runs).
        case addresses([UInt32])
        /// Not a name of the mesh, for this asker.
        case unknown
    }

    /// `name` as seen from a task that joins `networks`.
    static func resolve(_ name: String, networks: Set<String>, in routes: MeshRoutes) -> Answer {
        guard !networks.isEmpty else { return .unknown }
        var lookup = name.lowercased()
        if lookup.hasSuffix(".") { lookup.removeLast() }
        var tasksOnly = false
        if lookup.hasPrefix("tasks.") {
            tasksOnly = true
            lookup.removeFirst("tasks.".count)
        }
        var found = false
        var addresses: [UInt32] = []
        for service in routes.view.services {
            for attachment in service.networks where networks.contains(attachment.networkID) {
                let names = [service.name.lowercased()] + attachment.aliases.map { $0.lowercased() }
                guard names.contains(lookup) else { continue }
                found = true
                if tasksOnly || service.mode == .dnsrr {
                    for task in service.tasks {
                        for address in task.addresses where address.networkID == attachment.networkID {
                            if let value = IPv4Subnet.address(ofCIDR: address.addr) { addresses.append(value) }
                        }
                    }
                } else if let vip = service.virtualIPs.first(where: { $0.networkID == attachment.networkID }),
                          let value = IPv4Subnet.address(ofCIDR: vip.addr) {
                    addresses.append(value)
                }
            }
        }
        guard found else { return .unknown }
        var seen: Set<UInt32> = []
        return .addresses(addresses.filter { seen.insert($0).inserted })
    }

    /// Whether a task that joins `networks` may reach `destination` (it joins its network).
    static func reachable(_ destination: MeshRoutes.Destination, networks: Set<String>) -> Bool {
        switch destination {
        case .service(_, let id): networks.contains(id)
        case .task(_, _, let id): networks.contains(id)
        }
    }
}
