import ColmeiaModel
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One node's part of the data plane. Every node accepts connections on every port
/// published through the mesh and hands each to a task of the service that takes
/// connections — on this node directly, on another over the data path (mutual TLS with
/// the node certificates, encrypted). Tasks come and go with each ``update(_:)``; a port
/// whose service has no such task is not bound, so a connection is refused at once.
///
/// ```swift
/// let mesh = NodeMesh(nodeID: id, options: .init(ingressHost: "0.0.0.0"), logger: logger)
/// try mesh.tls.update(certificateChainPEM: chain, keyPEM: key, caCertificatePEM: ca)
/// let dataPath = try await mesh.startDataPath(host: "10.1.0.2", port: 2378)
/// mesh.update(assignments.mesh)
/// ```
public final class NodeMesh: Sendable {
    public struct Options: Sendable {
        /// The address published ports bind (all of the node's by default).
        public var ingressHost: String
        /// How long a connection attempt to one task may take before the next is tried.
        public var connectTimeout: TimeAmount

        public init(ingressHost: String = "0.0.0.0", connectTimeout: TimeAmount = .seconds(2)) {
            self.ingressHost = ingressHost
            self.connectTimeout = connectTimeout
        }
    }

    /// Where this node's tasks take connections (its executors fill it in).
    public let endpoints = LocalEndpoints()
    /// The credentials of the data path.
    public let tls = MeshTLS()
    let options: Options
    let logger: Logger
    let group: any EventLoopGroup
    let counters = MeshCounters()
    private let state: Mutex<State>
    private let listeners: IngressListeners
    /// The container bridges this node serves (Docker executor).
    let bridges = Mutex<[String: Bridge]>([:])
    /// Each task's host-mode listeners.
    let hostPorts = Mutex<[String: (channels: [any Channel], listeners: [MeshStatus.Listener])]>([:])

    struct State {
        var nodeID: String
        var routes = MeshRoutes()
        var rotation: [String: Int] = [:]
        var dataPath: (channel: any Channel, address: String)?
        var generation: UInt64 = 0
    }

    public init(nodeID: String, options: Options = Options(), logger: Logger,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.options = options
        self.logger = logger
        self.group = group
        state = Mutex(State(nodeID: nodeID))
        listeners = IngressListeners(host: options.ingressHost, group: group, logger: logger)
    }

    /// This node's id (known once it joined).
    public var nodeID: String {
        get { state.withLock { $0.nodeID } }
        set { state.withLock { $0.nodeID = newValue } }
    }

    var routes: MeshRoutes { state.withLock { $0.routes } }

    /// Routes by a new view, and binds or releases published ports to match it.
    public func update(_ view: MeshView) {
        let routes = MeshRoutes(view)
        let generation = state.withLock { state in
            state.routes = routes
            state.generation += 1
            return state.generation
        }
        var wanted: [MeshRoutes.PortKey: IngressListeners.Binding] = [:]
        for (key, entry) in routes.ingress {
            // No task anywhere: not bound, so connections are refused, not held.
            guard let service = routes.services[entry.service], !service.tasks.isEmpty else { continue }
            wanted[key] = IngressListeners.Binding(service: service.id, serviceName: service.name, mode: "ingress")
        }
        let listeners = self.listeners
        Task {
            await listeners.reconcile(wanted, generation: generation, mesh: self)
            await self.refreshBridgeRules()
        }
    }

    /// Stops listening (published ports and the data path); open connections end on their own.
    public func stop() async {
        await listeners.reconcile([:], mesh: self)
        for taskID in hostPorts.withLock({ Array($0.keys) }) { await unpublishHostPorts(taskID: taskID) }
        await detachBridges()
        let dataPath = state.withLock { state in
            defer { state.dataPath = nil }
            return state.dataPath
        }
        try? await dataPath?.channel.close()
    }

    /// The tasks of a service to try for one connection, starting with the next in turn.
    func candidates(for service: MeshService) -> [MeshTask] {
        guard !service.tasks.isEmpty else { return [] }
        let start = state.withLock { state in
            let next = state.rotation[service.id, default: 0]
            state.rotation[service.id] = next &+ 1
            return next
        }
        let offset = Int(UInt(bitPattern: start) % UInt(service.tasks.count))
        return Array(service.tasks[offset...] + service.tasks[..<offset])
    }

    /// What the mesh is doing, for `GET /colmeia/v1/mesh`.
    public func status() async -> MeshStatus {
        let (routes, nodeID, dataPath) = state.withLock { ($0.routes, $0.nodeID, $0.dataPath?.address ?? "") }
        let counted = counters.snapshot
        let services = routes.view.services.map { service in
            let count = counted[service.id] ?? MeshCounters.Service()
            return MeshStatus.Service(id: service.id, name: service.name, tasks: service.tasks.count,
                                      accepted: count.accepted, toLocalTask: count.toLocalTask,
                                      toOtherNode: count.toOtherNode, fromOtherNode: count.fromOtherNode,
                                      failed: count.failed, active: count.active)
        }
        let host = hostPorts.withLock { $0.values.flatMap(\.listeners) }
        return MeshStatus(node: nodeID, dataPath: dataPath, listeners: await listeners.status() + host, services: services)
    }

    func setDataPath(_ channel: any Channel, address: String) {
        state.withLock { $0.dataPath = (channel, address) }
    }
}
