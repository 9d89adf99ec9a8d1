import ColmeiaCluster
import HummingbirdCore
import HummingbirdHTTP2
import NIOSSL

/// The server pipelines the daemon's listeners use, each behind a ``ConnectionPolicy``.
public enum APIServerBuilders {
    /// Unix sockets: HTTP/1.1, as the docker CLI speaks on `unix://`.
    public static func unixSocket(policy: ConnectionPolicy) -> HTTPServerBuilder {
        policy.builder { responder in HTTP1Channel(responder: responder, configuration: policy.http1Configuration()) }
    }

    /// Plaintext TCP: HTTP/1.1 and HTTP/2 with prior knowledge on the same port.
    public static func plaintextTCP(policy: ConnectionPolicy) -> HTTPServerBuilder {
        policy.builder { responder in PlaintextHTTPChannel(responder: responder, policy: policy) }
    }

    /// TCP with TLS: `h2` or `http/1.1` chosen by ALPN. With `caPath`, clients may present a
    /// certificate signed by that CA, which identifies them (`--tlsverify` in dockerd
    /// demands one; here a bearer token may stand in for it).
    public static func tls(certificatePath: String, keyPath: String, caPath: String?, policy: ConnectionPolicy) throws -> HTTPServerBuilder {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        if let caPath {
            configuration.trustRoots = .file(caPath)
            configuration.certificateVerification = .optionalVerification
        }
        let tls = configuration
        return policy.builder { responder in
            try HTTP2UpgradeChannel(tlsConfiguration: tls, configuration: policy.http2Configuration(), responder: responder)
        }
    }
}
