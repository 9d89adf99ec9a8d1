import ColmeiaModel
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

extension NodeMesh {
    /// What one connection is for: a service's target port, or one task of it.
    struct Forward: Sendable {
        var service: MeshService
        var target: UInt32
        var proxyProtocol: Bool
        /// Only this task (a connection to a task's own address).
        var task: String?
    }

    /// A connection on a published port: to a task of its service.
    func acceptIngress(_ channel: any Channel, key: MeshRoutes.PortKey) {
        let routes = self.routes
        guard let entry = routes.ingress[key], let service = routes.services[entry.service] else {
            channel.close(promise: nil)
            return
        }
        forward(channel, Forward(service: service, target: entry.port.targetPort, proxyProtocol: entry.port.proxyProtocol))
    }

    /// Hands `client` to the first task that takes it, starting with the next in turn and
    /// trying the others when one cannot be reached (it is stopping, its node is away).
    func forward(_ client: any Channel, _ forward: Forward) {
        counters.count(forward.service.id) { $0.accepted += 1 }
        let candidates = forward.task.map { id in forward.service.tasks.filter { $0.id == id } } ?? candidates(for: forward.service)
        attempt(client, forward, candidates[...])
    }

    private func attempt(_ client: any Channel, _ forward: Forward, _ candidates: ArraySlice<MeshTask>) {
        guard let task = candidates.first, client.isActive else {
            if client.isActive {
                counters.count(forward.service.id) { $0.failed += 1 }
                logger.info("no task of the service took a connection", metadata: ["service": "\(forward.service.name)"])
            }
            client.close(promise: nil)
            return
        }
        let local = task.nodeID == nodeID
        let source = Self.address(client.remoteAddress)
        let destination = Self.address(client.localAddress)
        let connection: EventLoopFuture<any Channel>
        if local {
            connection = connectLocal(task: task.id, target: forward.target, eventLoop: client.eventLoop,
                                      proxy: forward.proxyProtocol ? (source, destination) : nil)
        } else {
            let request = DataPathRequest(service: forward.service.id, task: task.id, port: forward.target,
                                          clientIP: source.ip, clientPort: source.port,
                                          destinationIP: destination.ip, destinationPort: destination.port,
                                          proxyProtocol: forward.proxyProtocol)
            connection = connectRemote(node: task.nodeID, request: request, eventLoop: client.eventLoop)
        }
        connection.whenComplete { result in
            switch result {
            case .success(let backend):
                self.counters.count(forward.service.id) { local ? ($0.toLocalTask += 1) : ($0.toOtherNode += 1) }
                self.glue(client, backend, service: forward.service.id)
            case .failure(let error):
                self.logger.debug("a task did not take a connection; trying the next",
                                  metadata: ["task": "\(task.id)", "error": "\(error)"])
                self.attempt(client, forward, candidates.dropFirst())
            }
        }
    }

    /// Connects to a task of this node, and sends it the PROXY header when it wants one.
    func connectLocal(task: String, target: UInt32, eventLoop: any EventLoop,
                      proxy: (source: (ip: String, port: Int), destination: (ip: String, port: Int))?) -> EventLoopFuture<any Channel> {
        guard let address = endpoints.address(taskID: task, target: target) else {
            return eventLoop.makeFailedFuture(MeshError.noEndpoint(task: task, port: target))
        }
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(options.connectTimeout)
            .channelOption(.autoRead, value: false)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: address.host, port: address.port)
            .flatMap { channel in
                guard let proxy else { return eventLoop.makeSucceededFuture(channel) }
                let header = ProxyProtocolHeader.encode(source: proxy.source, destination: proxy.destination)
                return channel.writeAndFlush(channel.allocator.buffer(bytes: header)).map { channel }
            }
    }

    /// Opens the data path to the node running the task, and asks for it.
    func connectRemote(node: String, request: DataPathRequest, eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        guard let address = routes.nodes[node], let (host, port) = Self.split(address) else {
            return eventLoop.makeFailedFuture(MeshError.unknownNode(node))
        }
        guard let context = tls.client else { return eventLoop.makeFailedFuture(MeshError.noCredentials) }
        let status = eventLoop.makePromise(of: String.self)
        let header = HeaderLineHandler(limit: DataPathRequest.limit, promise: status)
        let line: ByteBuffer
        do {
            var data = try JSONEncoder().encode(request)
            data.append(UInt8(ascii: "\n"))
            line = ByteBuffer(bytes: data)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let timeout = options.connectTimeout
        let boundHeader = NIOLoopBound(header, eventLoop: eventLoop)
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(boundHeader.value)
                }
            }
            .connect(host: host, port: port)
            .flatMap { channel in
                channel.writeAndFlush(line).whenFailure { _ in channel.close(promise: nil) }
                // A node that takes the connection but never answers does not hold it.
                let deadline = eventLoop.scheduleTask(in: timeout * 2) { channel.close(promise: nil) }
                return status.futureResult.flatMapThrowing { answer -> any Channel in
                    deadline.cancel()
                    guard answer == "OK" else {
                        channel.close(promise: nil)
                        throw MeshError.refusedByNode(node, answer)
                    }
                    channel.setOption(.autoRead, value: false).whenComplete { _ in }
                    return channel
                }.flatMapErrorThrowing { error in
                    deadline.cancel()
                    channel.close(promise: nil)
                    throw error
                }
            }
    }

    /// Relays between the client and the task's side, then lets bytes flow.
    func glue(_ client: any Channel, _ backend: any Channel, service: String) {
        guard client.isActive, backend.isActive else {
            client.close(promise: nil)
            backend.close(promise: nil)
            return
        }
        let counters = self.counters
        counters.count(service) { $0.active += 1 }
        let (clientSide, backendSide) = GlueHandler.matchedPair { counters.count(service) { $0.active -= 1 } }
        do {
            try client.pipeline.syncOperations.addHandler(clientSide)
            try backend.pipeline.syncOperations.addHandler(backendSide)
        } catch {
            client.close(promise: nil)
            backend.close(promise: nil)
            return
        }
        for channel in [client, backend] {
            if let header = try? channel.pipeline.syncOperations.handler(type: HeaderLineHandler.self) { header.release() }
        }
        client.setOption(.autoRead, value: true).whenComplete { _ in }
        backend.setOption(.autoRead, value: true).whenComplete { _ in }
    }

    static func address(_ address: SocketAddress?) -> (ip: String, port: Int) {
        (address?.ipAddress ?? "", address?.port ?? 0)
    }

    static func split(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

/// Why the mesh could not hand a connection to a task.
enum MeshError: Error, CustomStringConvertible {
    case noEndpoint(task: String, port: UInt32)
    case unknownNode(String)
    case noCredentials
    case refusedByNode(String, String)

    var description: String {
        switch self {
        case .noEndpoint(let task, let port): "task \(task) takes no connections on port \(port) here"
        case .unknownNode(let node): "node \(node) has no data path address"
        case .noCredentials: "the node has no certificate for the data path yet"
        case .refusedByNode(let node, let answer): "node \(node) refused: \(answer)"
        }
    }
}
