import NIOSSL

/// A node's cluster identity: the root CA it trusts and its own certificate and key, all
/// PEM. Every connection on the cluster port is mutual TLS with this material; only
/// `GET /ca` and `POST /join` accept a client without a certificate (it has none yet).
public struct ClusterTLS: Sendable, Hashable {
    public var caCertificatePEM: String
    public var certificateChainPEM: String
    public var keyPEM: String

    public init(caCertificatePEM: String, certificateChainPEM: String, keyPEM: String) {
        self.caCertificatePEM = caCertificatePEM
        self.certificateChainPEM = certificateChainPEM
        self.keyPEM = keyPEM
    }

    /// The client side: presents the node certificate and trusts only the cluster CA.
    /// Peers are named by node id, not host name, so host names are not checked.
    public func clientConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8)).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caCertificatePEM.utf8)))
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// The server side: client certificates are optional at the handshake (a joining node
    /// has none) but verified against the cluster CA when presented; each route then
    /// demands the role it needs.
    public func serverConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)))
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caCertificatePEM.utf8)))
        configuration.certificateVerification = .optionalVerification
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["h2", "http/1.1"]
        return configuration
    }
}
