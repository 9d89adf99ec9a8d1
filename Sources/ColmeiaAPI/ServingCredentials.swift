import ColmeiaNode
import NIOCore
import NIOSSL
import Synchronization

/// The certificate and key the cluster port presents, changed in place when the node's
/// certificate is renewed: each new TLS handshake picks up the current pair (NIOSSL's
/// context callback), and connections already open keep theirs.
final class ServingCredentials: Sendable {
    private let current = Mutex<NIOSSLContextConfigurationOverride?>(nil)

    /// Serves `tls` from the next handshake on (nil: the server's own configuration).
    func update(_ tls: ClusterTLS?) {
        var override: NIOSSLContextConfigurationOverride?
        if let tls, let chain = try? NIOSSLCertificate.fromPEMBytes(Array(tls.certificateChainPEM.utf8)),
           let key = try? NIOSSLPrivateKey(bytes: Array(tls.keyPEM.utf8), format: .pem) {
            var value = NIOSSLContextConfigurationOverride()
            value.certificateChain = chain.map { .certificate($0) }
            value.privateKey = .privateKey(key)
            override = value
        }
        current.withLock { $0 = override }
    }

    /// The server's callback: the current pair, or no change.
    var callback: NIOSSLContextCallback {
        { [self] _, promise in promise.succeed(current.withLock { $0 } ?? .noChanges) }
    }
}
