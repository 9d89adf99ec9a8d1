import Crypto
import X509

/// A node's ECDSA P-256 key, from which it makes certificate signing requests.
///
/// ```swift
/// let key = NodeKeyPair()
/// let csrPEM = try key.certificateSigningRequestPEM()  // sent with the join token
/// // … later, store key.privateKeyPEM beside the issued chain for TLS.
/// ```
public struct NodeKeyPair: Sendable {
    let privateKey: P256.Signing.PrivateKey

    /// A new key from the system's secure random source.
    public init() {
        privateKey = P256.Signing.PrivateKey()
    }

    /// A key read from PEM (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY").
    public init(privateKeyPEM: String) throws(PKIError) {
        do {
            privateKey = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw .malformedPEM(what: "node key", reason: "not an ECDSA P-256 key: \(error)")
        }
    }

    /// The private key as PKCS#8 PEM.
    public var privateKeyPEM: String { privateKey.pemRepresentation }

    /// A PEM certificate signing request for this key. Its subject is empty, as SwarmKit's:
    /// the CA fills in the node id, role and cluster.
    public func certificateSigningRequestPEM() throws(PKIError) -> String {
        do {
            let csr = try CertificateSigningRequest(
                version: .v1,
                subject: DistinguishedName(),
                privateKey: Certificate.PrivateKey(privateKey),
                attributes: CertificateSigningRequest.Attributes(),
                signatureAlgorithm: .ecdsaWithSHA256
            )
            return try csr.serializeAsPEM().pemString + "\n"
        } catch {
            throw .signingFailed(reason: "could not make the certificate signing request: \(error)")
        }
    }

    /// Whether `certificate`'s leaf carries this key's public key.
    public func isKey(of certificate: NodeCertificate) -> Bool {
        Certificate.PublicKey(privateKey.publicKey) == certificate.certificate.publicKey
    }
}
