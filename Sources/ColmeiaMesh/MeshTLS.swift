import NIOSSL
import Synchronization

/// The node certificate, key and cluster roots the data path uses, replaced in place when
/// the certificate is renewed or the root rotated: each new connection takes the current
/// contexts. Both ends present a certificate and check the other's against the cluster's
/// roots; peers are nodes, named by ID, so host names are not checked.
public final class MeshTLS: Sendable {
    private let contexts = Mutex<(server: NIOSSLContext, client: NIOSSLContext)?>(nil)

    public init() {}

    /// Uses these PEMs from the next connection on.
    public func update(certificateChainPEM: String, keyPEM: String, caCertificatePEM: String) throws {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = NIOSSLPrivateKeySource.privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
        let roots = NIOSSLTrustRoots.certificates(try NIOSSLCertificate.fromPEMBytes(Array(caCertificatePEM.utf8)))
        var server = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
        server.trustRoots = roots
        server.certificateVerification = .noHostnameVerification
        server.minimumTLSVersion = .tlsv12
        server.applicationProtocols = ["colmeia-mesh/1"]
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = chain
        client.privateKey = key
        client.trustRoots = roots
        client.certificateVerification = .noHostnameVerification
        client.minimumTLSVersion = .tlsv12
        client.applicationProtocols = ["colmeia-mesh/1"]
        let pair = (try NIOSSLContext(configuration: server), try NIOSSLContext(configuration: client))
        contexts.withLock { $0 = pair }
    }

    var server: NIOSSLContext? { contexts.withLock { $0?.server } }
    var client: NIOSSLContext? { contexts.withLock { $0?.client } }
}
