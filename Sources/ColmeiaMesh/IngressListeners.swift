import Logging
import NIOCore
import NIOPosix

/// The published ports this node binds, kept to what the view wants: a port is bound while
/// its service has a task that takes connections, and released when it has none (so a
/// connection is refused at once). A port something else holds is reported and retried,
/// and the node's other ports keep serving.
actor IngressListeners {
    struct Binding: Hashable, Sendable {
        var service: String
        var serviceName: String
        var mode: String
    }

    private struct Bound {
        var binding: Binding
        var channel: (any Channel)?
        var error: String
    }

    private let host: String
    private let group: any EventLoopGroup
    private let logger: Logger
    private var bound: [MeshRoutes.PortKey: Bound] = [:]
    private var retry: Task<Void, Never>?
    private var wanted: [MeshRoutes.PortKey: Binding] = [:]

    init(host: String, group: any EventLoopGroup, logger: Logger) {
        self.host = host
        self.group = group
        self.logger = logger
    }

    private var generation: UInt64 = 0

    /// Binds and releases ports to match `wanted`; a call older than the last one seen
    /// (tasks run in any order) changes nothing.
    func reconcile(_ wanted: [MeshRoutes.PortKey: Binding], generation: UInt64? = nil, mesh: NodeMesh) async {
        if let generation {
            guard generation >= self.generation else { return }
            self.generation = generation
        }
        self.wanted = wanted
        for (key, entry) in bound where wanted[key] == nil {
            bound[key] = nil
            try? await entry.channel?.close()
            logger.debug("published port released", metadata: ["port": "\(key.port)/\(key.protocol)"])
        }
        for (key, binding) in wanted.sorted(by: { $0.key.port < $1.key.port }) {
            if var entry = bound[key], entry.channel != nil {
                entry.binding = binding
                bound[key] = entry
                continue
            }
            do {
                let channel = try await bind(key, mesh: mesh)
                // The view may have moved on while this port was being bound.
                guard self.wanted[key] != nil else {
                    try? await channel.close()
                    continue
                }
                if let old = bound[key], !old.error.isEmpty {
                    logger.notice("published port bound after all", metadata: ["port": "\(key.port)/\(key.protocol)"])
                }
                bound[key] = Bound(binding: binding, channel: channel, error: "")
            } catch {
                let message = "listen \(key.protocol) \(host):\(key.port): \(Self.describe(error))"
                if bound[key]?.error != message {
                    logger.warning("cannot bind a published port; other nodes keep serving it",
                                   metadata: ["service": "\(binding.serviceName)", "error": "\(message)"])
                }
                bound[key] = Bound(binding: binding, channel: nil, error: message)
            }
        }
        scheduleRetry(mesh: mesh)
    }

    /// Ports that could not be bound are tried again every few seconds.
    private func scheduleRetry(mesh: NodeMesh) {
        guard retry == nil, bound.values.contains(where: { $0.channel == nil }) else { return }
        retry = Task {
            try? await Task.sleep(for: .seconds(5))
            await self.retryNow(mesh: mesh)
        }
    }

    private func retryNow(mesh: NodeMesh) async {
        retry = nil
        guard !Task.isCancelled else { return }
        await reconcile(wanted, mesh: mesh)
    }

    func status() -> [MeshStatus.Listener] {
        bound.sorted { ($0.key.port, $0.key.protocol) < ($1.key.port, $1.key.protocol) }.map { key, entry in
            MeshStatus.Listener(protocol: key.protocol, port: key.port, service: entry.binding.serviceName,
                                mode: entry.binding.mode, listening: entry.channel != nil, error: entry.error)
        }
    }

    private func bind(_ key: MeshRoutes.PortKey, mesh: NodeMesh) async throws -> any Channel {
        if key.protocol == "udp" {
            return try await UDPRelay.bind(host: host, port: key.port, key: key, mesh: mesh, group: group)
        }
        return try await MeshListener.bind(host: host, port: key.port, group: group) { mesh.acceptIngress($0, key: key) }
    }

    /// `bind: address already in use`, as Go's net package words it.
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            return error.errnoCode == EADDRINUSE ? "bind: address already in use" : "\(error)"
        }
        return "\(error)"
    }
}
