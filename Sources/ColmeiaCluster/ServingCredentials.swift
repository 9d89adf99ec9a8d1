import ColmeiaNode
import ColmeiaPKI
import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The certificate, key and trusted roots of the cluster port, changed in place when the
/// node's certificate is renewed or the cluster's root is rotated: each new TLS handshake
/// picks up the current pair (NIOSSL's context callback) and verifies client certificates
/// against the current roots (a custom verification callback: BoringSSL's trust store is
/// fixed once the server starts). Connections already open keep theirs.
package final class ServingCredentials: Sendable {
    private let current = Mutex<NIOSSLContextConfigurationOverride?>(nil)
    private let trust = Mutex<TrustBundle?>(nil)

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
        let bundle = tls.flatMap { try? TrustBundle(pem: $0.caCertificatePEM) }
        current.withLock { $0 = override }
        trust.withLock { $0 = bundle }
    }

    /// The server's callback: the current pair, or no change.
    var callback: NIOSSLContextCallback {
        { [self] _, promise in promise.succeed(current.withLock { $0 } ?? .noChanges) }
    }

    /// Whether a client's certificate chain leads to one of the current roots (or to
    /// `fallback`'s before any update).
    func verify(_ chain: [NIOSSLCertificate], fallback: TrustBundle) async -> NIOSSLVerificationResult {
        let roots = trust.withLock { $0 } ?? fallback
        let der = chain.compactMap { try? $0.toDERBytes() }
        guard der.count == chain.count else { return .failed }
        return await roots.accepts(chainDER: der, now: Date()) ? .certificateVerified : .failed
    }
}
