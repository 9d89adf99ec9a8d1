import Crypto
import Foundation
import X509

/// The cluster's root certificate authority: an ECDSA P-256 self-signed certificate with
/// subject `CN=swarm-ca` (SwarmKit's root CN) and `O=<cluster id>`, and — on the managers
/// that sign — its private key.
///
/// Nodes that do not sign hold the certificate only (`keyPEM == nil`). During a root rotation
/// the new root also carries the certificate cross-signed by the old root
/// (`crossSign(_:now:)`), and appends it to every chain it issues, so nodes that still trust
/// only the old root accept the new leaves.
///
/// ```swift
/// let ca = try ClusterRootCA.create(clusterID: clusterID, now: Date())
/// let key = NodeKeyPair()
/// let chainPEM = try ca.issue(
///     csrPEM: try key.certificateSigningRequestPEM(), nodeID: nodeID, role: .worker,
///     clusterID: clusterID, now: Date()
/// )
/// let certificate = try NodeCertificate(parsing: chainPEM)
/// try await certificate.verify(against: [ca], now: Date())
/// var rng = SystemRandomNumberGenerator()
/// let tokens = JoinTokens.generate(rootCA: ca.digest, using: &rng)
/// ```
public struct ClusterRootCA: Sendable {
    /// SwarmKit's root CN, also the DNS SAN of manager certificates.
    public static let commonName = "swarm-ca"
    /// Docker's root CA lifetime: 20 years (`RootCAExpiration`).
    public static let defaultValidity: TimeInterval = 630_720_000
    /// Docker's node certificate lifetime: 90 days (`CAConfig.NodeCertExpiry`).
    public static let defaultNodeCertificateValidity: TimeInterval = 90 * 24 * 3600
    /// SwarmKit's shortest node certificate lifetime (`MinNodeCertExpiration`): one hour.
    public static let minimumNodeCertificateValidity: TimeInterval = 3600
    /// How far before `now` issued certificates start, against clock skew (SwarmKit's `CertBackdate`).
    public static let backdate: TimeInterval = 3600

    /// The root certificate.
    public let certificate: Certificate
    /// The root certificate as PEM.
    public let certificatePEM: String
    /// The root's private key as PKCS#8 PEM, or nil on a node that cannot sign.
    public private(set) var keyPEM: String?
    /// Certificates appended to every issued chain: during a rotation, this root cross-signed
    /// by the previous one. Empty otherwise.
    public let intermediatesPEM: String
    /// The SHA-256 digest of the root certificate's DER encoding, pinned by join tokens.
    /// (SwarmKit hashes the PEM text; hashing the DER makes it independent of PEM layout.)
    public let digest: [UInt8]

    private(set) var privateKey: P256.Signing.PrivateKey?
    let intermediates: [Certificate]

    /// Whether this root holds its key and can issue and cross-sign certificates.
    public var canSign: Bool { privateKey != nil }

    /// The digest as `sha256:<hex>`, the way Docker prints CA fingerprints.
    public var digestString: String { "sha256:" + Self.hex(digest) }

    /// A new root CA for cluster `clusterID`, valid from `now - backdate` for `validity`.
    public static func create(
        clusterID: String, now: Date, validity: TimeInterval = defaultValidity
    ) throws(PKIError) -> ClusterRootCA {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let certificate: Certificate
        do {
            let name = try DistinguishedName {
                OrganizationName(clusterID)
                CommonName(commonName)
            }
            certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: now - backdate,
                notValidAfter: now + validity,
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: publicKey)
                },
                issuerPrivateKey: Certificate.PrivateKey(key)
            )
        } catch {
            throw .signingFailed(reason: "\(error)")
        }
        return try ClusterRootCA(certificate: certificate, privateKey: key, intermediates: [])
    }

    /// A root CA read from PEM. `keyPEM` (PKCS#8 or SEC1 "EC PRIVATE KEY") must be the key of
    /// the certificate; pass nil on nodes that only trust the root. `intermediatesPEM` holds the
    /// cross-signed certificates to append to issued chains during a rotation.
    public init(certificatePEM: String, keyPEM: String?, intermediatesPEM: String = "") throws(PKIError) {
        let certificate = try PEMCertificates.parseOne(certificatePEM, what: "root CA certificate")
        let intermediates = try PEMCertificates.parse(intermediatesPEM, what: "intermediate certificates")
        var privateKey: P256.Signing.PrivateKey?
        if let keyPEM {
            do {
                privateKey = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
            } catch {
                throw .keyMismatch(reason: "the root CA key is not an ECDSA P-256 PEM key: \(error)")
            }
        }
        try self.init(certificate: certificate, privateKey: privateKey, intermediates: intermediates)
    }

    /// The root CA served by a manager to a joining node, accepted only if its digest is the one
    /// `token` pins. Throws `PKIError.caFingerprintMismatch` ("remote CA does not match
    /// fingerprint. Expected: …") otherwise. The PEM must hold exactly one certificate, so no
    /// unpinned root can ride along.
    public static func pinned(certificatePEM: String, by token: JoinToken) throws(PKIError) -> ClusterRootCA {
        let ca = try ClusterRootCA(certificatePEM: certificatePEM, keyPEM: nil)
        guard token.matches(caDigest: ca.digest) else {
            throw .caFingerprintMismatch(expected: token.rootCADigestHex)
        }
        return ca
    }

    init(certificate: Certificate, privateKey: P256.Signing.PrivateKey?, intermediates: [Certificate]) throws(PKIError) {
        guard case .isCertificateAuthority = try? certificate.extensions.basicConstraints else {
            throw .invalidRootCertificate(reason: "it is not a CA certificate")
        }
        guard certificate.issuer == certificate.subject,
            certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        else {
            throw .invalidRootCertificate(reason: "it is not self-signed")
        }
        if let privateKey, Certificate.PublicKey(privateKey.publicKey) != certificate.publicKey {
            throw .keyMismatch(reason: "the key is not the root CA certificate's key")
        }
        for intermediate in intermediates where intermediate.publicKey != certificate.publicKey {
            throw .invalidRootCertificate(reason: "an intermediate certificate does not carry the root's key")
        }
        self.certificate = certificate
        self.privateKey = privateKey
        self.intermediates = intermediates
        self.certificatePEM = try PEMCertificates.encode(certificate)
        self.keyPEM = privateKey?.pemRepresentation
        var bundle = ""
        for intermediate in intermediates { bundle += try PEMCertificates.encode(intermediate) }
        self.intermediatesPEM = bundle
        self.digest = Array(SHA256.hash(data: try PEMCertificates.der(certificate)))
    }

    /// This root without its key, for nodes that only need to trust it.
    public var withoutKey: ClusterRootCA {
        var copy = self
        copy.privateKey = nil
        copy.keyPEM = nil
        return copy
    }

    /// This root with `crossSignedPEM` (from `oldRoot.crossSign(self, now:)`) appended to every
    /// chain it issues.
    public func addingIntermediates(_ crossSignedPEM: String) throws(PKIError) -> ClusterRootCA {
        let added = try PEMCertificates.parse(crossSignedPEM, what: "intermediate certificates")
        return try ClusterRootCA(certificate: certificate, privateKey: privateKey, intermediates: intermediates + added)
    }

    /// Signs the CSR `csrPEM` for node `nodeID` with role `role` in cluster `clusterID`, and
    /// returns the PEM chain: the leaf, then this root's intermediates.
    ///
    /// Only the CSR's public key is used (as SwarmKit's signing policy does). The leaf has
    /// SwarmKit's layout: subject `O=<clusterID>, OU=swarm-manager|swarm-worker, CN=<nodeID>`;
    /// DNS SANs the OU and the node id, plus `swarm-ca` for managers; key usage digital
    /// signature and key encipherment; extended key usage server and client auth. It is valid
    /// from `now - backdate` to `now + validity`; a validity below one hour becomes the 90-day
    /// default, as in SwarmKit.
    public func issue(
        csrPEM: String, nodeID: String, role: NodeRole, clusterID: String, now: Date,
        validity: TimeInterval = defaultNodeCertificateValidity
    ) throws(PKIError) -> String {
        guard let privateKey else { throw .caKeyUnavailable }
        guard !nodeID.isEmpty else { throw .invalidCSR(reason: "the node id is empty") }
        let csr: CertificateSigningRequest
        do {
            csr = try CertificateSigningRequest(pemEncoded: csrPEM)
        } catch {
            throw .invalidCSR(reason: "\(error)")
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw .invalidCSR(reason: "its signature does not match its public key")
        }
        let lifetime = validity < Self.minimumNodeCertificateValidity ? Self.defaultNodeCertificateValidity : validity
        var hosts = [role.organizationalUnit, nodeID]
        if role == .manager { hosts.append(Self.commonName) }
        let leaf: Certificate
        do {
            let subject = try DistinguishedName {
                OrganizationName(clusterID)
                OrganizationalUnitName(role.organizationalUnit)
                CommonName(nodeID)
            }
            let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            leaf = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: csr.publicKey,
                notValidBefore: now - Self.backdate,
                notValidAfter: now + lifetime,
                issuer: certificate.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.serverAuth, .clientAuth])
                    SubjectKeyIdentifier(hash: csr.publicKey)
                    if let authorityKeyID {
                        AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
                    }
                    SubjectAlternativeNames(hosts.map { GeneralName.dnsName($0) })
                },
                issuerPrivateKey: Certificate.PrivateKey(privateKey)
            )
        } catch {
            throw .signingFailed(reason: "\(error)")
        }
        var chain = try PEMCertificates.encode(leaf)
        chain += intermediatesPEM
        return chain
    }

    /// `newRoot`'s certificate signed by this (old) root: same subject, key, validity and
    /// extensions, issued by this root, as SwarmKit's `CrossSignCACertificate`. Appended to the
    /// new root's chains (`newRoot.addingIntermediates(_:)`), it lets nodes that trust only this
    /// root accept leaves the new root issues while the rotation is under way. Both roots must
    /// be valid at `now`.
    public func crossSign(_ newRoot: ClusterRootCA, now: Date) throws(PKIError) -> String {
        guard let privateKey else { throw .caKeyUnavailable }
        for root in [certificate, newRoot.certificate] {
            if now > root.notValidAfter { throw .expired }
            if now < root.notValidBefore { throw .notYetValid }
        }
        let template = newRoot.certificate
        let crossSigned: Certificate
        do {
            var extensions = template.extensions
            if let keyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier {
                extensions.update(try AuthorityKeyIdentifier(keyIdentifier: keyID).makeCertificateExtension())
            }
            crossSigned = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: template.publicKey,
                notValidBefore: template.notValidBefore,
                notValidAfter: template.notValidAfter,
                issuer: certificate.subject,
                subject: template.subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(privateKey)
            )
        } catch {
            throw .signingFailed(reason: "could not cross-sign the new root CA: \(error)")
        }
        return try PEMCertificates.encode(crossSigned)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
