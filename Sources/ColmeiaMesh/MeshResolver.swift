import ColmeiaModel
import Foundation
import NIOCore
import NIOPosix

/// The DNS server a node's containers use (on their bridge's gateway): names of the mesh
/// as the asking task sees them (``MeshNames``), everything else passed on to the node's
/// own nameservers. A query from an address that is no task of this node is refused.
enum MeshResolver {
    static func bind(host: String, mesh: NodeMesh, group: any EventLoopGroup) async throws -> any Channel {
        let upstream = upstreamServers()
        return try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MeshResolverHandler(mesh: mesh, upstream: upstream))
                }
            }
            .bind(host: host, port: 53)
            .get()
    }

    /// The IPv4 nameservers of the node's `/etc/resolv.conf`.
    static func upstreamServers(_ path: String = "/etc/resolv.conf") -> [String] {
        guard let text = SystemFile.text(atPath: path) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver", IPv4Subnet.parse(String(fields[1])) != nil else { return nil }
            return String(fields[1])
        }
    }
}

final class MeshResolverHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let mesh: NodeMesh
    private let upstream: [String]
    /// Queries passed on and not answered yet: bounded, so a flood cannot hold sockets.
    private var forwarding = 0
    static let maxForwarding = 256

    init(mesh: NodeMesh, upstream: [String]) {
        self.mesh = mesh
        self.upstream = upstream
    }

    /// Queries from an address the node does not know yet wait for it this many times, 100
    /// ms apart: a container may ask before its executor has told the mesh its address.
    static let unknownSourceRetries = 20
    private var waiting = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let query = Array(envelope.data.readableBytesView)
        guard let (_, recursion, question) = DNSMessage.question(in: query) else { return }
        answer(context, query: query, question: question, recursion: recursion, client: envelope.remoteAddress, tries: 0)
    }

    private func answer(_ context: ChannelHandlerContext, query: [UInt8], question: DNSMessage.Question, recursion: Bool,
                        client: SocketAddress, tries: Int) {
        guard let networks = mesh.endpoints.networks(atSource: client.ipAddress ?? "") else {
            if tries < Self.unknownSourceRetries, waiting < Self.maxForwarding {
                waiting += 1
                let this = NIOLoopBound(self, eventLoop: context.eventLoop)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(100)) {
                    this.value.waiting -= 1
                    this.value.answer(bound.value, query: query, question: question, recursion: recursion, client: client,
                                      tries: tries + 1)
                }
                return
            }
            reply(context, to: client, DNSMessage.answer(to: query, question: question, recursionDesired: recursion, code: .refused))
            return
        }
        switch MeshNames.resolve(question.name, networks: networks, in: mesh.routes) {
        case .addresses(let addresses) where question.class == DNSMessage.classIN:
            let records = question.type == DNSMessage.typeA
                ? addresses.map { [UInt8($0 >> 24), UInt8($0 >> 16 & 0xFF), UInt8($0 >> 8 & 0xFF), UInt8($0 & 0xFF)] } : []
            reply(context, to: client,
                  DNSMessage.answer(to: query, question: question, recursionDesired: recursion, code: .noError, addresses: records))
        default:
            forward(context, query: query, question: question, recursion: recursion, client: client)
        }
    }

    private func reply(_ context: ChannelHandlerContext, to client: SocketAddress, _ bytes: [UInt8]) {
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: ByteBuffer(bytes: bytes))),
                              promise: nil)
    }

    /// Asks the node's nameserver and relays its answer (SERVFAIL when it has none or is silent).
    private func forward(_ context: ChannelHandlerContext, query: [UInt8], question: DNSMessage.Question, recursion: Bool,
                         client: SocketAddress) {
        let failure = DNSMessage.answer(to: query, question: question, recursionDesired: recursion, code: .serverFailure)
        guard let server = upstream.first, forwarding < Self.maxForwarding else {
            reply(context, to: client, failure)
            return
        }
        forwarding += 1
        let published = context.channel
        let answer = context.eventLoop.makePromise(of: [UInt8].self)
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        answer.futureResult.whenComplete { result in
            this.value.forwarding -= 1
            let bytes = (try? result.get()) ?? failure
            published.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: ByteBuffer(bytes: bytes)), promise: nil)
        }
        DatagramBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamAnswerHandler(answer: answer))
                }
            }
            .connect(host: server, port: 53)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    channel.writeAndFlush(ByteBuffer(bytes: query), promise: nil)
                    // Closing the channel ends its handler: no answer can come after the timeout's.
                    let timeout = channel.eventLoop.scheduleTask(in: .seconds(2)) {
                        channel.close(promise: nil)
                    }
                    answer.futureResult.whenComplete { _ in
                        timeout.cancel()
                        channel.close(promise: nil)
                    }
                case .failure(let error):
                    answer.fail(error)
                }
            }
    }
}

/// The first datagram back from the upstream nameserver.
final class UpstreamAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let answer: EventLoopPromise<[UInt8]>
    private var answered = false

    init(answer: EventLoopPromise<[UInt8]>) {
        self.answer = answer
    }

    /// Only the first datagram counts (the channel closes once the answer is in).
    func channelInactive(context: ChannelHandlerContext) {
        if !answered {
            answered = true
            answer.fail(ChannelError.ioOnClosedChannel)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        answer.succeed(Array(unwrapInboundIn(data).data.readableBytesView))
    }
}
