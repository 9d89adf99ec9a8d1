import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore

/// A service's place on the cluster's networks, as SwarmKit's allocator gives it: its
/// networks named by ID, its published ports (ingress ports are cluster-wide, so a port
/// taken by one service cannot be published by another, and an unspecified one comes from
/// 30000–32767), and a virtual IP on each network it joins (on `ingress` too when it
/// publishes there). Apply claims the same ports and addresses again, so two requests
/// racing for one of them cannot both land.
enum ServiceEndpoints {
    static let dynamicRange: ClosedRange<UInt32> = 30000...32767

    /// Replaces the network names of `spec` by their IDs; Docker's words when one is missing.
    static func resolveNetworks(of spec: inout ServiceSpec, in networks: [Network]) throws {
        func resolve(_ configs: inout [NetworkAttachmentConfig]) throws {
            for index in configs.indices {
                let target = configs[index].target
                let network = networks.first { $0.id == target } ?? networks.first { $0.name == target }
                    ?? Self.uniquePrefixMatch(target, networks)
                guard let network else { throw DockerAPIError(.notFound, "network \(target) not found") }
                if network.ingress {
                    throw DockerAPIError(.badRequest, "rpc error: code = InvalidArgument desc = Service cannot be explicitly attached to the ingress network \"\(network.name)\"")
                }
                configs[index].target = network.id
            }
            var seen: Set<String> = []
            if let duplicate = configs.first(where: { !seen.insert($0.target).inserted }) {
                throw DockerAPIError(.badRequest, "rpc error: code = InvalidArgument desc = service spec: duplicate network \(duplicate.target)")
            }
        }
        try resolve(&spec.taskTemplate.networks)
        try resolve(&spec.networks)
    }

    private static func uniquePrefixMatch(_ prefix: String, _ networks: [Network]) -> Network? {
        guard !prefix.isEmpty else { return nil }
        let matches = networks.filter { $0.id.hasPrefix(prefix) }
        return matches.count == 1 ? matches.first : nil
    }

    /// The endpoint for `spec` (its networks already resolved), given the other services,
    /// the networks and the addresses in use on them; throws Docker's error when a port is
    /// taken or a network has no address left.
    static func allocate(for spec: ServiceSpec, serviceID: String, existing: [Service], networks: [Network],
                         addressesInUse: (String) throws -> Set<UInt32>, previous: Endpoint? = nil) throws -> Endpoint {
        let ports = try allocatePorts(for: spec, serviceID: serviceID, existing: existing, previous: previous)
        let mode = spec.endpointSpec?.mode ?? .vip
        if mode == .dnsrr, ports.contains(where: { $0.publishMode == .ingress }) {
            throw DockerAPIError(.badRequest, "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode")
        }
        var wanted: [Network] = []
        if ports.contains(where: { $0.publishMode == .ingress }), let ingress = networks.first(where: \.ingress) {
            wanted.append(ingress)
        }
        if mode != .dnsrr {
            for config in spec.taskTemplate.networks + spec.networks {
                if let network = networks.first(where: { $0.id == config.target }), !wanted.contains(where: { $0.id == network.id }) {
                    wanted.append(network)
                }
            }
        }
        var vips: [EndpointVirtualIP] = []
        for network in wanted {
            if let kept = previous?.virtualIPs.first(where: { $0.networkID == network.id }), !kept.addr.isEmpty {
                vips.append(kept)
                continue
            }
            guard let address = NetworkAllocator.address(in: network, taken: try addressesInUse(network.id), fromTop: true) else {
                throw DockerAPIError(.badRequest, "could not find an available IP while allocating VIP on network \(network.name)")
            }
            vips.append(EndpointVirtualIP(networkID: network.id, addr: address))
        }
        return Endpoint(spec: spec.endpointSpec ?? EndpointSpec(), ports: ports, virtualIPs: vips)
    }

    private static func allocatePorts(for spec: ServiceSpec, serviceID: String, existing: [Service],
                                      previous: Endpoint?) throws -> [PortConfig] {
        var taken: [String: Service] = [:]
        func key(_ port: PortConfig) -> String { "\(port.protocol.rawValue.isEmpty ? "tcp" : port.protocol.rawValue)/\(port.publishedPort)" }
        for other in existing where other.id != serviceID {
            for port in other.endpoint.ports where port.publishMode.rawValue != "host" && port.publishedPort != 0 {
                taken[key(port)] = other
            }
        }
        var ports: [PortConfig] = []
        for var port in spec.endpointSpec?.ports ?? [] {
            if port.publishMode.rawValue.isEmpty { port.publishMode = "ingress" }
            if port.protocol.rawValue.isEmpty { port.protocol = "tcp" }
            guard port.publishMode.rawValue == "ingress" else {
                ports.append(port)
                continue
            }
            if port.publishedPort == 0 {
                // Keep what the service had for the same target, else the lowest free port.
                var candidate = port
                if let kept = previous?.ports.first(where: { $0.targetPort == port.targetPort && $0.protocol == port.protocol }),
                   kept.publishedPort != 0, taken[key(kept)] == nil {
                    port.publishedPort = kept.publishedPort
                } else if let free = dynamicRange.first(where: { number in
                    candidate.publishedPort = number
                    return taken[key(candidate)] == nil && !ports.contains { key($0) == key(candidate) }
                }) {
                    port.publishedPort = free
                } else {
                    throw DockerAPIError(.badRequest, "no free ingress port left in the dynamic range \(dynamicRange)")
                }
            }
            if let owner = taken[key(port)] {
                throw DockerAPIError(.badRequest,
                                     "port '\(port.publishedPort)' is already in use by service '\(owner.spec.name)' (\(owner.id)) as an ingress port")
            }
            ports.append(port)
        }
        return ports
    }
}
