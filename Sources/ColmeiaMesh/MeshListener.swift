import NIOCore
import NIOPosix

/// A TCP listener of the mesh: each accepted connection waits, unread, until `accept` has
/// found where it goes (a task here or on another node) and glued it there.
enum MeshListener {
    static func bind(host: String, port: Int, group: any EventLoopGroup,
                     accept: @escaping @Sendable (any Channel) -> Void) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ActivationHandler(accept))
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}
