/// Why a PKI operation failed, in words fit for a user or a log line.
///
/// `description` is the message; the cases carry the detail a caller may match on.
public enum PKIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A certificate or key could not be read from its PEM text.
    case malformedPEM(what: String, reason: String)
    /// The certificate signing request is malformed, uses an unsupported key, or its
    /// signature does not match its public key.
    case invalidCSR(reason: String)
    /// The certificate does not have the layout of a cluster node certificate.
    case invalidNodeCertificate(reason: String)
    /// The certificate's validity window ended before `now`.
    case expired
    /// The certificate's validity window starts after `now`.
    case notYetValid
    /// No chain from the certificate to any of the trusted roots could be built.
    case untrusted(reason: String)
    /// This root CA holds only the certificate, not the signing key.
    case caKeyUnavailable
    /// The key does not belong to the certificate, or is not an ECDSA P-256 key.
    case keyMismatch(reason: String)
    /// The root CA certificate is not a self-signed CA certificate.
    case invalidRootCertificate(reason: String)
    /// The root CA served by a manager is not the one the join token pins; `expected` is the
    /// token's digest in hex.
    case caFingerprintMismatch(expected: String)
    /// Building or signing a certificate failed.
    case signingFailed(reason: String)

    public var description: String {
        switch self {
        case .malformedPEM(let what, let reason):
            "could not read the \(what): \(reason)"
        case .invalidCSR(let reason):
            "certificate signing request is not valid: \(reason)"
        case .invalidNodeCertificate(let reason):
            "the certificate is not a valid node certificate: \(reason)"
        case .expired:
            "the certificate has expired"
        case .notYetValid:
            "the certificate is not valid yet"
        case .untrusted(let reason):
            reason.isEmpty
                ? "certificate is not signed by the cluster's root CA"
                : "certificate is not signed by the cluster's root CA: \(reason)"
        case .caKeyUnavailable:
            "this node holds the root CA certificate but not its key, so it cannot sign certificates"
        case .keyMismatch(let reason):
            "the key does not fit the certificate: \(reason)"
        case .invalidRootCertificate(let reason):
            "the root CA certificate is not valid: \(reason)"
        case .caFingerprintMismatch(let expected):
            "remote CA does not match fingerprint. Expected: \(expected)"
        case .signingFailed(let reason):
            "could not sign the certificate: \(reason)"
        }
    }
}
