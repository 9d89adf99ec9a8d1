import NIOCore
import NIOPosix

/// UDP on a published port: each client (address and port) gets a socket of its own toward
/// a task of this node chosen in turn, kept while datagrams flow (idle for 30 s: dropped);
/// replies go back to the client from the published port. Tasks on other nodes take UDP
/// only through their own node's published port: the data path carries TCP.
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
        var channel: any Channel
        var lastUsed: NIODeadline
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
        for flow in flows.values { flow.channel.close(promise: nil) }
        flows.removeAll()
        context.fireChannelInactive()
    }

    private func sweep() {
        let now = NIODeadline.now()
        for (client, flow) in flows where now - flow.lastUsed > Self.idle {
            flow.channel.close(promise: nil)
            flows[client] = nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if var flow = flows[envelope.remoteAddress] {
            flow.lastUsed = .now()
            flows[envelope.remoteAddress] = flow
            flow.channel.writeAndFlush(envelope.data, promise: nil)
            return
        }
        guard flows.count < Self.maxFlows else { return }
        let routes = mesh.routes
        guard let entry = routes.ingress[key], let service = routes.services[entry.service] else { return }
        let local = mesh.candidates(for: service).filter { $0.nodeID == mesh.nodeID }
        guard let task = local.first,
              let address = mesh.endpoints.address(taskID: task.id, target: entry.port.targetPort) else { return }
        let published = context.channel
        let client = envelope.remoteAddress
        let connect = DatagramBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPFlowHandler(published: published, client: client))
                }
            }
            .connect(host: address.host, port: address.port)
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        connect.whenSuccess { channel in
            this.value.flows[client] = Flow(channel: channel, lastUsed: .now())
            channel.writeAndFlush(envelope.data, promise: nil)
        }
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
