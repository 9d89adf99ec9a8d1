import Foundation
// The fixed-time expiry check lets callers (and tests) inject `now`.
@_spi(FixedExpiryValidationTime) import X509

/// A node's certificate chain as issued by `ClusterRootCA.issue`: the leaf, whose subject
/// names the node, its role and its cluster, then any intermediates.
///
/// ```swift
/// let certificate = try NodeCertificate(parsing: chainPEM)
/// try await certificate.verify(against: [rootCA], now: Date())
/// var rng = SystemRandomNumberGenerator()
/// let renewAt = certificate.renewalTime(using: &rng)   // keep it; renew once past it
/// ```
public struct NodeCertificate: Sendable {
    /// SwarmKit renews a certificate at a random point past this fraction of its lifetime…
    public static let renewalLowerFraction = 0.5
    /// …and before this one.
    public static let renewalUpperFraction = 0.8

    /// The leaf certificate.
    public let certificate: Certificate
    /// The certificates after the leaf in the chain (a cross-signed root during a rotation).
    public let intermediates: [Certificate]
    /// The node id: the leaf's CN.
    public let nodeID: String
    /// The role: the leaf's OU.
    public let role: NodeRole
    /// The cluster id: the leaf's O.
    public let clusterID: String

    /// When the leaf starts being valid (backdated by the CA).
    public var notBefore: Date { certificate.notValidBefore }
    /// When the leaf stops being valid.
    public var notAfter: Date { certificate.notValidAfter }

    /// Reads a PEM chain, leaf first. Throws `PKIError.invalidNodeCertificate` unless the leaf
    /// has exactly one CN, a `swarm-manager` or `swarm-worker` OU and an O.
    public init(parsing pem: String) throws(PKIError) {
        let chain = try PEMCertificates.parse(pem, what: "node certificate")
        guard let leaf = chain.first else {
            throw .malformedPEM(what: "node certificate", reason: "no certificate found")
        }
        func single(_ type: String, named name: String) throws(PKIError) -> String {
            var values: [String] = []
            for rdn in leaf.subject {
                for attribute in rdn where attribute.type.description == type {
                    guard let value = String(attribute.value) else {
                        throw .invalidNodeCertificate(reason: "the \(name) is not text")
                    }
                    values.append(value)
                }
            }
            guard values.count == 1, let value = values.first, !value.isEmpty else {
                throw .invalidNodeCertificate(reason: "the subject must have exactly one \(name), found \(values.count)")
            }
            return value
        }
        nodeID = try single("2.5.4.3", named: "common name (node id)")
        let unit = try single("2.5.4.11", named: "organizational unit (role)")
        guard let role = NodeRole(organizationalUnit: unit) else {
            throw .invalidNodeCertificate(reason: "unknown role \"\(unit)\"")
        }
        self.role = role
        clusterID = try single("2.5.4.10", named: "organization (cluster id)")
        certificate = leaf
        intermediates = Array(chain.dropFirst())
    }

    /// Checks the leaf's validity window at `now`, then that a chain from the leaf through this
    /// certificate's intermediates reaches one of `roots` with valid signatures, CA constraints
    /// and validity windows (RFC 5280, swift-certificates' `Verifier`).
    /// Throws `.expired`, `.notYetValid` or `.untrusted`.
    public func verify(against roots: [ClusterRootCA], now: Date) async throws(PKIError) {
        if now > notAfter { throw .expired }
        if now < notBefore { throw .notYetValid }
        var verifier = Verifier(rootCertificates: CertificateStore(roots.map(\.certificate))) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        let result = await verifier.validate(leaf: certificate, intermediates: CertificateStore(intermediates))
        switch result {
        case .validCertificate:
            return
        case .couldNotValidate(let failures):
            throw .untrusted(reason: failures.map { "\($0.policyFailureReason)" }.joined(separator: "; "))
        }
    }

    /// The point at which this certificate should be renewed: drawn uniformly between 50% and
    /// 80% of its lifetime from `notBefore`, as SwarmKit does so that nodes do not all renew at
    /// once. Draw it once per certificate and keep it.
    public func renewalTime(using rng: inout some RandomNumberGenerator) -> Date {
        let lifetime = notAfter.timeIntervalSince(notBefore)
        let fraction = Double.random(in: Self.renewalLowerFraction..<Self.renewalUpperFraction, using: &rng)
        return notBefore + lifetime * fraction
    }

    /// The span in which `renewalTime(using:)` falls.
    public var renewalWindow: ClosedRange<Date> {
        let lifetime = notAfter.timeIntervalSince(notBefore)
        return (notBefore + lifetime * Self.renewalLowerFraction)...(notBefore + lifetime * Self.renewalUpperFraction)
    }

    /// Whether the certificate should be renewed at `now`: always past 80% of its lifetime,
    /// never before 50%, and in between once `now` passes a renewal time drawn from `rng`.
    /// A caller that polls should draw `renewalTime(using:)` once instead, so each poll does
    /// not draw again.
    public func needsRenewal(now: Date, using rng: inout some RandomNumberGenerator) -> Bool {
        now >= renewalTime(using: &rng)
    }
}
