import Foundation
@_spi(FixedExpiryValidationTime) import X509

/// The root CAs a node trusts: the cluster's root, and while the root is being rotated
/// the new root as well, so that peers on either side of the rotation are accepted.
///
/// ```swift
/// let bundle = try TrustBundle(pem: oldRoot.certificatePEM + newRoot.certificatePEM)
/// let accepted = await bundle.accepts(chainDER: peerChain, now: Date())
/// ```
public struct TrustBundle: Sendable {
    /// The trusted roots, without keys, in the order of the PEM text.
    public let roots: [ClusterRootCA]
    /// The roots as one PEM text.
    public let pem: String

    /// Reads one or more self-signed root CA certificates from `pem`.
    public init(pem: String) throws(PKIError) {
        let certificates = try PEMCertificates.parse(pem, what: "trusted root CA certificates")
        guard !certificates.isEmpty else {
            throw .malformedPEM(what: "trusted root CA certificates", reason: "no certificate found")
        }
        var roots: [ClusterRootCA] = []
        var text = ""
        for certificate in certificates {
            roots.append(try ClusterRootCA(certificate: certificate, privateKey: nil, intermediates: []))
            text += try PEMCertificates.encode(certificate)
        }
        self.roots = roots
        self.pem = text
    }

    /// Whether the chain a peer presented (DER, leaf first, then intermediates) leads to one
    /// of these roots with valid signatures, CA constraints and validity windows at `now`.
    public func accepts(chainDER: [[UInt8]], now: Date) async -> Bool {
        guard let leafDER = chainDER.first, let leaf = try? Certificate(derEncoded: leafDER) else { return false }
        if now > leaf.notValidAfter || now < leaf.notValidBefore { return false }
        let intermediates = chainDER.dropFirst().compactMap { try? Certificate(derEncoded: $0) }
        var verifier = Verifier(rootCertificates: CertificateStore(roots.map(\.certificate))) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates)) {
            return true
        }
        return false
    }
}
