/// Addresses on cluster networks, as Swarm's allocator hands them out: a network gets the
/// first free block of the swarm's address pool (10.0.0.0/8 in /24s by default); a
/// service its virtual IP and a task its address from the network's block, the first free
/// one after the gateway. Pure: what is taken comes in as arguments.
public enum NetworkAllocator {
    /// The IPAM config of a new network: the requested subnet (checked against the others),
    /// or the first free block of the pool.
    public static func subnet(requested: [IPAM.Config], pools: [String], size: Int,
                              existing: [Network]) throws(ValidationError) -> [IPAM.Config] {
        let taken = existing.flatMap { $0.ipam.config.compactMap { IPv4Subnet($0.subnet) } }
        let pools = pools.isEmpty ? ["10.0.0.0/8"] : pools
        let size = size == 0 ? 24 : size
        if !requested.isEmpty, requested.contains(where: { !$0.subnet.isEmpty }) {
            var configs = requested
            for index in configs.indices {
                guard !configs[index].subnet.isEmpty else { continue }
                guard let subnet = IPv4Subnet(configs[index].subnet) else { continue }
                if taken.contains(where: { $0.overlaps(subnet) }) {
                    throw ValidationError(field: "IPAM.Config.Subnet",
                                          message: "invalid pool request: Pool overlaps with other one on this address space")
                }
                if configs[index].gateway.isEmpty { configs[index].gateway = IPv4Subnet.format(subnet.gateway) }
            }
            return configs
        }
        for pool in pools.compactMap(IPv4Subnet.init) {
            if let block = IPv4Subnet.firstFree(in: pool, prefixLength: size, avoiding: taken) {
                return [IPAM.Config(subnet: block.description, gateway: IPv4Subnet.format(block.gateway))]
            }
        }
        throw ValidationError(field: "IPAM", message: "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
    }

    /// The network's block, if it has an IPv4 one.
    public static func block(of network: Network) -> IPv4Subnet? {
        network.ipam.config.lazy.compactMap { IPv4Subnet($0.subnet) }.first
    }

    /// The first free address of `network` (in `a.b.c.d/len` form), or nil when it is full.
    /// Tasks take theirs from the bottom of the block and services their virtual IPs from
    /// the top (`fromTop`), so the orchestrator and the API, which allocate side by side,
    /// meet only when the network is nearly full.
    public static func address(in network: Network, taken: Set<UInt32>, fromTop: Bool = false) -> String? {
        guard let block = block(of: network), let range = block.hostRange else { return nil }
        if fromTop {
            var candidate = range.upperBound
            while candidate >= range.lowerBound {
                if !taken.contains(candidate) { return block.cidr(of: candidate) }
                if candidate == range.lowerBound { break }
                candidate -= 1
            }
            return nil
        }
        var candidate = range.lowerBound
        while candidate <= range.upperBound {
            if !taken.contains(candidate) { return block.cidr(of: candidate) }
            if candidate == range.upperBound { break }
            candidate += 1
        }
        return nil
    }
}
