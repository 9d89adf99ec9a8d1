import ColmeiaModel
import NIOCore
import NIOPosix

extension NodeMesh {
    /// Binds a task's host-mode ports on this node — a free one when `published` is 0 —
    /// each connection going to that task alone (Docker's `mode=host`). Returns the ports as
    /// bound, for the task's `Status.PortStatus`; throws Docker's words, naming the port,
    /// when one is taken (nothing stays bound then).
    public func publishHostPorts(taskID: String, serviceID: String, serviceName: String,
                                 ports: [MeshPort]) async throws(MeshPublishError) -> [PortConfig] {
        var bound: [(channel: any Channel, port: PortConfig)] = []
        for port in ports where port.publishMode == .host {
            guard port.protocol != .udp else {
                for entry in bound { try? await entry.channel.close() }
                throw MeshPublishError("host-mode UDP ports are not supported yet (port \(port.targetPort)/udp)")
            }
            do {
                let channel = try await MeshListener.bind(host: options.ingressHost, port: Int(port.publishedPort), group: group) {
                    self.forwardToLocalTask($0, serviceID: serviceID, taskID: taskID, port: port)
                }
                let actual = UInt32(channel.localAddress?.port ?? Int(port.publishedPort))
                bound.append((channel, PortConfig(protocol: port.protocol, targetPort: port.targetPort,
                                                  publishedPort: actual, publishMode: .host)))
            } catch {
                for entry in bound { try? await entry.channel.close() }
                let host = options.ingressHost
                throw MeshPublishError("host-mode port \(port.publishedPort)/\(port.protocol.rawValue): Bind for \(host):\(port.publishedPort) failed: port is already allocated (\(IngressListeners.describe(error)))")
            }
        }
        let channels = bound
        let listeners = channels.map { entry in
            MeshStatus.Listener(protocol: entry.port.protocol.rawValue, port: Int(entry.port.publishedPort),
                                service: serviceName, mode: "host", listening: true, error: "")
        }
        let old = hostPorts.withLock { state in
            defer { state[taskID] = (channels.map(\.channel), listeners) }
            return state[taskID]
        }
        for channel in old?.channels ?? [] { try? await channel.close() }
        return channels.map(\.port)
    }

    /// Releases a task's host-mode ports (it stopped).
    public func unpublishHostPorts(taskID: String) async {
        let entry = hostPorts.withLock { $0.removeValue(forKey: taskID) }
        for channel in entry?.channels ?? [] { try? await channel.close() }
    }

    /// A connection on a host-mode port: to its task on this node, or closed.
    private func forwardToLocalTask(_ client: any Channel, serviceID: String, taskID: String, port: MeshPort) {
        counters.count(serviceID) { $0.accepted += 1 }
        let source = Self.address(client.remoteAddress)
        let destination = Self.address(client.localAddress)
        connectLocal(task: taskID, target: port.targetPort, eventLoop: client.eventLoop,
                     proxy: port.proxyProtocol ? (source, destination) : nil).whenComplete { result in
            switch result {
            case .success(let backend):
                self.counters.count(serviceID) { $0.toLocalTask += 1 }
                self.glue(client, backend, service: serviceID)
            case .failure:
                self.counters.count(serviceID) { $0.failed += 1 }
                client.close(promise: nil)
            }
        }
    }
}

/// Why a task's host-mode ports could not be published, in the words its `Status.Err` shows.
public struct MeshPublishError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
