import Foundation
import NIOSSL

/// Docker's client TLS flags: `--tls`, `--tlsverify`, `--tlscacert`, `--tlscert`, `--tlskey`.
public struct TLSOptions: Sendable, Hashable {
    /// Check the server's certificate against ``caCertificate`` (otherwise any is accepted).
    public var verify: Bool
    public var caCertificate: String?
    public var certificate: String?
    public var key: String?

    public init(verify: Bool, caCertificate: String? = nil, certificate: String? = nil, key: String? = nil) {
        self.verify = verify
        self.caCertificate = caCertificate
        self.certificate = certificate
        self.key = key
    }

    /// The NIOSSL client configuration, offering `h2` and `http/1.1` by ALPN.
    func configuration() throws(ColmeiaClientError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["h2", "http/1.1"]
        do {
            if verify {
                if let caCertificate {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertificate))
                }
            } else {
                tls.certificateVerification = .none
            }
            if let certificate, let key {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } else if certificate != nil || key != nil {
                throw ColmeiaClientError.tls("--tlscert and --tlskey go together")
            }
        } catch let error as ColmeiaClientError {
            throw error
        } catch {
            throw .tls("could not read TLS files: \(error)")
        }
        return tls
    }
}
