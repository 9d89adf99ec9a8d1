import ColmeiaModel

/// Published ports of services: ingress ports are cluster-wide, so a port taken by one
/// service cannot be published by another, and an unspecified published port gets one
/// from the 30000–32767 range, as Swarm's allocator does.
enum ServiceEndpoints {
    static let dynamicRange: ClosedRange<UInt32> = 30000...32767

    /// The endpoint for `spec`, given the other services; throws Docker's conflict error.
    static func allocate(for spec: ServiceSpec, serviceID: String, existing: [Service],
                         previous: Endpoint? = nil) throws -> Endpoint {
        var taken: [UInt32: Service] = [:]
        for other in existing where other.id != serviceID {
            for port in other.endpoint.ports where port.publishMode.rawValue != "host" && port.publishedPort != 0 {
                taken[port.publishedPort] = other
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
                if let kept = previous?.ports.first(where: { $0.targetPort == port.targetPort && $0.protocol == port.protocol }),
                   taken[kept.publishedPort] == nil {
                    port.publishedPort = kept.publishedPort
                } else if let free = dynamicRange.first(where: { candidate in
                    taken[candidate] == nil && !ports.contains { $0.publishedPort == candidate }
                }) {
                    port.publishedPort = free
                } else {
                    throw DockerAPIError(.badRequest, "no free ingress port left in the dynamic range \(dynamicRange)")
                }
            }
            if let owner = taken[port.publishedPort] {
                throw DockerAPIError(.badRequest,
                                     "port '\(port.publishedPort)' is already in use by service '\(owner.spec.name)' (\(owner.id)) as an ingress port")
            }
            ports.append(port)
        }
        return Endpoint(spec: spec.endpointSpec ?? EndpointSpec(), ports: ports, virtualIPs: previous?.virtualIPs ?? [])
    }
}
