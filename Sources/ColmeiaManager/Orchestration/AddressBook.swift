import ColmeiaModel

/// The addresses in use on each network — services' virtual IPs and the addresses of tasks
/// that have not ended (apply frees a task's addresses when it ends) — and the next free
/// ones, as the orchestrator hands them to new tasks. Built from the view once per pass.
struct AddressBook {
    private var taken: [String: Set<UInt32>] = [:]

    init(_ view: ClusterView) {
        for service in view.services.values {
            for vip in service.endpoint.virtualIPs {
                if let address = IPv4Subnet.address(ofCIDR: vip.addr) { taken[vip.networkID, default: []].insert(address) }
            }
        }
        for task in view.tasks.values where !task.hasEnded {
            for attachment in task.networksAttachments {
                for cidr in attachment.addresses {
                    if let address = IPv4Subnet.address(ofCIDR: cidr) { taken[attachment.network.id, default: []].insert(address) }
                }
            }
        }
    }

    /// The first free address of `network` (`a.b.c.d/len`), now taken; nil when it is full.
    mutating func allocate(on network: Network) -> String? {
        guard let cidr = NetworkAllocator.address(in: network, taken: taken[network.id] ?? []),
              let address = IPv4Subnet.address(ofCIDR: cidr) else { return nil }
        taken[network.id, default: []].insert(address)
        return cidr
    }
}
