import NIOCore
import NIOPosix

/// UDP on a published port: each client (address and port) gets a flow of its own toward
/// a task chosen in turn — a socket to a task of this node, or a data path stream (datagrams
/// framed) to a task of another — kept while datagrams flow (idle for 30 s: dropped);
/// replies go back to the client from the published port.
enum UDPRelay {
    static func bind(host: String, port: Int, key: MeshRoutes.PortKey, mesh: NodeMesh,
                     group: any EventLoopGroup) async throws -> any Channel {
        try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPRelayHandler(key: key, mesh: mesh))
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}

/// The published side of a UDP port: datagrams in from clients, out to their flows.
final class UDPRelayHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private struct Flow {
        /// A socket to a local task, or a data path stream (nil while it opens).
        var channel: (any Channel)?
        /// Datagrams over the data path are framed.
        var framed: Bool
        /// What arrived while the flow was opening (at most a few).
        var pending: [ByteBuffer] = []
        var lastUsed: NIODeadline

        func send(_ bytes: ByteBuffer) {
            guard let channel else { return }
            channel.writeAndFlush(framed ? DatagramFrames.frame(bytes, allocator: channel.allocator) : bytes, promise: nil)
        }
    }

    private let key: MeshRoutes.PortKey
    private let mesh: NodeMesh
    private var flows: [SocketAddress: Flow] = [:]
    private var sweeper: RepeatedTask?
    static let idle = TimeAmount.seconds(30)
    static let maxFlows = 4_096

    init(key: MeshRoutes.PortKey, mesh: NodeMesh) {
        self.key = key
        self.mesh = mesh
    }

    func channelActive(context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let this = NIOLoopBound(self, eventLoop: loop)
        sweeper = loop.scheduleRepeatedTask(initialDelay: Self.idle, delay: .seconds(5)) { _ in
            this.value.sweep()
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        sweeper?.cancel()
        for flow in flows.values { flow.channel?.close(promise: nil) }
        flows.removeAll()
        context.fireChannelInactive()
    }

    private func sweep() {
        let now = NIODeadline.now()
        for (client, flow) in flows where now - flow.lastUsed > Self.idle {
            flow.channel?.close(promise: nil)
            flows[client] = nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let client = envelope.remoteAddress
        if var flow = flows[client] {
            flow.lastUsed = .now()
            if flow.channel == nil {
                if flow.pending.count < 16 { flow.pending.append(envelope.data) }
            } else {
                flow.send(envelope.data)
            }
            flows[client] = flow
            return
        }
        guard flows.count < Self.maxFlows else { return }
        let routes = mesh.routes
        guard let entry = routes.ingress[key], let service = routes.services[entry.service],
              let task = mesh.candidates(for: service).first else { return }
        let published = context.channel
        let local = task.nodeID == mesh.nodeID
        let opening: EventLoopFuture<any Channel>
        if local {
            guard let address = mesh.endpoints.address(taskID: task.id, target: entry.port.targetPort) else { return }
            opening = DatagramBootstrap(group: context.eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(UDPFlowHandler(published: published, client: client))
                    }
                }
                .connect(host: address.host, port: address.port)
        } else {
            let request = DataPathRequest(service: service.id, task: task.id, port: entry.port.targetPort,
                                          clientIP: client.ipAddress ?? "", clientPort: client.port ?? 0,
                                          destinationIP: published.localAddress?.ipAddress ?? "",
                                          destinationPort: key.port, proxyProtocol: false, protocol: "udp")
            opening = mesh.connectRemote(node: task.nodeID, request: request, eventLoop: context.eventLoop)
                .flatMapThrowing { stream -> any Channel in
                    try stream.pipeline.syncOperations.addHandler(ByteToMessageHandler(DatagramFrameDecoder()))
                    try stream.pipeline.syncOperations.addHandler(FramesToClient(published: published, client: client))
                    if let header = try? stream.pipeline.syncOperations.handler(type: HeaderLineHandler.self) { header.release() }
                    stream.setOption(.autoRead, value: true).whenComplete { _ in }
                    return stream
                }
        }
        let serviceID = service.id
        let counters = mesh.counters
        counters.count(serviceID) { $0.accepted += 1 }
        flows[client] = Flow(channel: nil, framed: !local, pending: [envelope.data], lastUsed: .now())
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        opening.whenComplete { result in
            switch result {
            case .success(let channel):
                counters.count(serviceID) { local ? ($0.toLocalTask += 1) : ($0.toOtherNode += 1) }
                guard var flow = this.value.flows[client] else {
                    channel.close(promise: nil)
                    return
                }
                flow.channel = channel
                for datagram in flow.pending { flow.send(datagram) }
                flow.pending = []
                this.value.flows[client] = flow
                channel.closeFuture.whenComplete { _ in
                    if this.value.flows[client]?.channel === channel { this.value.flows[client] = nil }
                }
            case .failure:
                counters.count(serviceID) { $0.failed += 1 }
                this.value.flows[client] = nil
            }
        }
    }
}

/// Frames from the data path, back to the client as datagrams from the published port.
final class FramesToClient: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let published: any Channel
    private let client: SocketAddress

    init(published: any Channel, client: SocketAddress) {
        self.published = published
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        published.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: unwrapInboundIn(data)), promise: nil)
    }
}

/// One client's flow toward a task: replies go back to the client from the published port.
final class UDPFlowHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let published: any Channel
    private let client: SocketAddress

    init(published: any Channel, client: SocketAddress) {
        self.published = published
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).data
        published.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: bytes), promise: nil)
    }
}
