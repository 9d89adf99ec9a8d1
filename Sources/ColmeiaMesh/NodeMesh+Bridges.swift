import ColmeiaModel
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension NodeMesh {
    /// A container bridge of this node and what the mesh serves on it.
    struct Bridge: Sendable {
        var gateway: String
        var resolver: any Channel
        var proxy: any Channel
        var proxyPort: Int
        /// The subnets its NAT chain redirects now.
        var subnets: [String]
    }

    /// Serves the containers on `bridge` (whose gateway, the node's address there, is
    /// `gateway`): names at `gateway:53`, and their connections to service and task
    /// addresses, which NAT redirects to the mesh. Idempotent.
    public func attachBridge(name bridge: String, gateway: String) async throws {
        if bridges.withLock({ $0[bridge] != nil }) { return }
        let resolver = try await MeshResolver.bind(host: gateway, mesh: self, group: group)
        let proxy: any Channel
        do {
            proxy = try await MeshListener.bind(host: gateway, port: 0, group: group) { self.acceptRedirected($0) }
        } catch {
            try? await resolver.close()
            throw error
        }
        let port = proxy.localAddress?.port ?? 0
        let subnets = overlaySubnets
        do {
            try await Self.offloaded { try NATRedirect.install(bridge: bridge, subnets: subnets, port: port) }
        } catch {
            try? await resolver.close()
            try? await proxy.close()
            throw error
        }
        bridges.withLock { $0[bridge] = Bridge(gateway: gateway, resolver: resolver, proxy: proxy, proxyPort: port, subnets: subnets) }
        logger.info("serving a container bridge", metadata: ["bridge": "\(bridge)", "gateway": "\(gateway)", "port": "\(port)"])
    }

    /// Releases every bridge's listeners and NAT rules (the node stops).
    func detachBridges() async {
        let all = bridges.withLock { state in
            defer { state.removeAll() }
            return state
        }
        for (name, bridge) in all {
            try? await bridge.resolver.close()
            try? await bridge.proxy.close()
            try? await Self.offloaded { NATRedirect.remove(bridge: name) }
        }
    }

    /// The cluster's subnets, as the current view has them.
    var overlaySubnets: [String] {
        routes.view.networks.map(\.subnet).filter { !$0.isEmpty }.sorted()
    }

    /// Points each bridge's NAT chain at the current subnets (a network was added or removed).
    func refreshBridgeRules() async {
        let subnets = overlaySubnets
        let stale = bridges.withLock { $0.filter { $0.value.subnets != subnets } }
        for (name, bridge) in stale {
            do {
                try await Self.offloaded { try NATRedirect.install(bridge: name, subnets: subnets, port: bridge.proxyPort) }
                bridges.withLock { $0[name]?.subnets = subnets }
            } catch {
                logger.warning("cannot update a bridge's NAT rules", metadata: ["bridge": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// A container's connection to a service or task address, redirected here: to that
    /// service's tasks (or that task), if the container's task joins its network.
    private func acceptRedirected(_ client: any Channel) {
        guard let provider = client as? any SocketOptionProvider else {
            client.close(promise: nil)
            return
        }
        let original: EventLoopFuture<sockaddr_in> = provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: CInt(IPPROTO_IP)), name: NIOBSDSocket.Option(rawValue: 80))
        original.whenComplete { result in
            guard case .success(let destination) = result else {
                client.close(promise: nil)
                return
            }
            let address = UInt32(bigEndian: destination.sin_addr.s_addr)
            let port = UInt32(UInt16(bigEndian: destination.sin_port))
            let routes = self.routes
            let networks = self.endpoints.networks(atSource: client.remoteAddress?.ipAddress ?? "") ?? []
            guard let target = routes.addresses[address], MeshNames.reachable(target, networks: networks) else {
                client.close(promise: nil)
                return
            }
            switch target {
            case .service(let id, _):
                guard let service = routes.services[id] else { return client.close(promise: nil) }
                self.forward(client, Forward(service: service, target: port, proxyProtocol: false))
            case .task(let id, let task, _):
                guard let service = routes.services[id] else { return client.close(promise: nil) }
                self.forward(client, Forward(service: service, target: port, proxyProtocol: false, task: task))
            }
        }
    }

    /// Runs blocking work (a child process) off the cooperative threads.
    static func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
