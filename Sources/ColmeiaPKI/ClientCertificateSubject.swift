import X509

/// The subject of a certificate a client presented (already verified by the TLS handshake):
/// its text, its common name and its organizational units, which carry API roles.
public struct ClientCertificateSubject: Sendable, Hashable {
    /// RFC 4514 text, e.g. `CN=alice,OU=operator,O=acme`.
    public var text: String
    public var commonName: String?
    public var organizationalUnits: [String]
    public var organizations: [String]

    public init(der: [UInt8]) throws(PKIError) {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw .malformedPEM(what: "client certificate", reason: "\(error)")
        }
        text = certificate.subject.description
        var names: [String: [String]] = [:]
        for rdn in certificate.subject {
            for attribute in rdn {
                if let value = String(attribute.value) { names[attribute.type.description, default: []].append(value) }
            }
        }
        commonName = names["2.5.4.3"]?.first
        organizationalUnits = names["2.5.4.11"] ?? []
        organizations = names["2.5.4.10"] ?? []
    }
}
