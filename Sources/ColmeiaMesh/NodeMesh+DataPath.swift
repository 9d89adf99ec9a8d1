import ColmeiaModel
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

extension NodeMesh {
    /// Listens for other nodes' connections to this node's tasks: mutual TLS (a peer must
    /// present a certificate of this swarm), one JSON line naming the task and port, an
    /// `OK` or `ERR …` line back, then the relay. Returns the bound address.
    @discardableResult
    public func startDataPath(host: String, port: Int) async throws -> String {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let context = self.tls.server else { throw MeshError.noCredentials }
                    let header = HeaderLineHandler(limit: DataPathRequest.limit, promise: channel.eventLoop.makePromise())
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(header)
                    // A peer that never sends its request does not hold the connection.
                    let deadline = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
                    let line = header.line
                    line.whenComplete { result in
                        deadline.cancel()
                        switch result {
                        case .success(let line): self.acceptDataPath(channel, line: line)
                        case .failure: channel.close(promise: nil)
                        }
                    }
                }
            }
            .bind(host: host, port: port)
            .get()
        let address = "\(host):\(channel.localAddress?.port ?? port)"
        setDataPath(channel, address: address)
        logger.info("serving the data path", metadata: ["address": "\(address)"])
        return address
    }

    /// A peer asks for a task of this node: connect to it, answer, relay.
    private func acceptDataPath(_ channel: any Channel, line: String) {
        guard let request = try? JSONDecoder().decode(DataPathRequest.self, from: Data(line.utf8)) else {
            refuse(channel, "malformed request")
            return
        }
        channel.setOption(.autoRead, value: false).whenComplete { _ in }
        if request.protocol == "udp" {
            acceptDatagrams(channel, request)
            return
        }
        let proxy = request.proxyProtocol
            ? ((request.clientIP, request.clientPort), (request.destinationIP, request.destinationPort)) : nil
        connectLocal(task: request.task, target: request.port, eventLoop: channel.eventLoop, proxy: proxy).whenComplete { result in
            switch result {
            case .success(let backend):
                self.counters.count(request.service) { $0.fromOtherNode += 1 }
                channel.writeAndFlush(channel.allocator.buffer(string: "OK\n")).whenFailure { _ in backend.close(promise: nil) }
                self.glue(channel, backend, service: request.service)
            case .failure(let error):
                self.refuse(channel, "\(error)")
            }
        }
    }

    /// A peer's UDP flow for a task here: frames in become datagrams to the task, and its
    /// datagrams go back as frames.
    private func acceptDatagrams(_ stream: any Channel, _ request: DataPathRequest) {
        guard let address = endpoints.address(taskID: request.task, target: request.port) else {
            refuse(stream, "\(MeshError.noEndpoint(task: request.task, port: request.port))")
            return
        }
        DatagramBootstrap(group: stream.eventLoop)
            .channelInitializer { socket in
                socket.eventLoop.makeCompletedFuture {
                    try socket.pipeline.syncOperations.addHandler(DatagramsToFrames(stream: stream))
                }
            }
            .connect(host: address.host, port: address.port)
            .whenComplete { result in
                switch result {
                case .success(let socket):
                    self.counters.count(request.service) { $0.fromOtherNode += 1 }
                    stream.closeFuture.whenComplete { _ in socket.close(promise: nil) }
                    do {
                        try stream.pipeline.syncOperations.addHandler(ByteToMessageHandler(DatagramFrameDecoder()))
                        try stream.pipeline.syncOperations.addHandler(FramesToDatagrams(socket: socket))
                    } catch {
                        stream.close(promise: nil)
                        return
                    }
                    stream.writeAndFlush(stream.allocator.buffer(string: "OK\n"), promise: nil)
                    if let header = try? stream.pipeline.syncOperations.handler(type: HeaderLineHandler.self) { header.release() }
                    stream.setOption(.autoRead, value: true).whenComplete { _ in }
                case .failure(let error):
                    self.refuse(stream, "\(error)")
                }
            }
    }

    private func refuse(_ channel: any Channel, _ reason: String) {
        let line = "ERR " + reason.replacingOccurrences(of: "\n", with: " ") + "\n"
        channel.writeAndFlush(channel.allocator.buffer(string: line)).whenComplete { _ in channel.close(promise: nil) }
    }
}
