import HummingbirdCore
import HummingbirdHTTP2
import NIOSSL

/// The server pipelines the daemon's listeners use.
public enum APIServerBuilders {
    /// Unix sockets: HTTP/1.1, as the docker CLI speaks on `unix://`.
    public static func unixSocket() -> HTTPServerBuilder { .http1() }

    /// Plaintext TCP: HTTP/1.1 and HTTP/2 with prior knowledge on the same port.
    public static func plaintextTCP() -> HTTPServerBuilder { PlaintextHTTPChannel.builder() }

    /// TCP with TLS: `h2` or `http/1.1` chosen by ALPN. With `caPath`, clients must present a
    /// certificate signed by that CA (mutual TLS, as dockerd's `--tlsverify`).
    public static func tls(certificatePath: String, keyPath: String, caPath: String?) throws -> HTTPServerBuilder {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        if let caPath {
            configuration.trustRoots = .file(caPath)
            configuration.certificateVerification = .noHostnameVerification
        }
        return try .http2Upgrade(tlsConfiguration: configuration)
    }
}
