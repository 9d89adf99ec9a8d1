import SwiftASN1
import X509

/// Who signed a certificate, the way Docker reports it in `TLSInfo`: the DER of the
/// issuer's subject and of its public key (`CertIssuerSubject`, `CertIssuerPublicKey`).
/// `docker swarm ca --rotate` counts a node as rotated once its issuer is the new root's.
public struct CertificateIssuer: Sendable, Hashable {
    /// The DER-encoded distinguished name of the issuer.
    public let subject: [UInt8]
    /// The DER-encoded SubjectPublicKeyInfo of the issuer.
    public let publicKey: [UInt8]

    /// The identity `root` signs as.
    public init(of root: ClusterRootCA) throws(PKIError) {
        try self.init(subject: root.certificate.subject, publicKey: root.certificate.publicKey)
    }

    /// The issuer of `node`'s leaf: the certificate among its intermediates and `trusted`
    /// whose subject is the leaf's issuer and whose key verifies the leaf's signature.
    public init(of node: NodeCertificate, trusting trusted: TrustBundle) throws(PKIError) {
        let leaf = node.certificate
        let candidates = node.intermediates + trusted.roots.map(\.certificate)
        guard let issuer = candidates.first(where: {
            $0.subject == leaf.issuer && $0.publicKey.isValidSignature(leaf.signature, for: leaf)
        }) else {
            throw .untrusted(reason: "no trusted certificate signed this node's certificate")
        }
        try self.init(subject: issuer.subject, publicKey: issuer.publicKey)
    }

    private init(subject: DistinguishedName, publicKey: Certificate.PublicKey) throws(PKIError) {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(subject)
        } catch {
            throw .signingFailed(reason: "could not encode the issuer's name: \(error)")
        }
        self.subject = serializer.serializedBytes
        self.publicKey = Array(publicKey.subjectPublicKeyInfoBytes)
    }
}
