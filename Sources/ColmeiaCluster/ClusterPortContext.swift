import Hummingbird
import NIOCore
import NIOSSL

/// The request context of the cluster port: it keeps the connection so routes can read
/// the peer's verified certificate.
struct ClusterPortContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// A batch of Raft messages or one snapshot part (snapshots come in parts of 1 MiB).
    var maxUploadSize: Int { 64 << 20 }

    /// The DER of the certificate the peer presented (verified against the cluster CA at
    /// the handshake), or nil when it presented none. HTTP/2 streams are child channels
    /// of the connection that holds the TLS handler.
    func peerCertificateDER() async -> [UInt8]? {
        // An HTTP/1 channel's parent is the listening socket, not the connection.
        let connection = channel.parent?.parent != nil ? (channel.parent ?? channel) : channel
        guard let certificate = try? await connection.nioSSL_peerCertificate().get() else { return nil }
        return try? certificate.toDERBytes()
    }

    /// The peer's IP address as this node sees it.
    var peerIP: String? { channel.parent?.remoteAddress?.ipAddress ?? channel.remoteAddress?.ipAddress }
}
