import Foundation

/// The trust root and issuer of a node's or the cluster's certificates.
public struct TLSInfo: Sendable, Hashable, PreservesUnknownFields {
    /// PEM-encoded root CA certificates.
    public var trustRoot: String
    /// DER-encoded subject of the issuer.
    public var certIssuerSubject: Data?
    /// DER-encoded public key of the issuer.
    public var certIssuerPublicKey: Data?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        trustRoot: String = "",
        certIssuerSubject: Data? = nil,
        certIssuerPublicKey: Data? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.trustRoot = trustRoot
        self.certIssuerSubject = certIssuerSubject
        self.certIssuerPublicKey = certIssuerPublicKey
        self.extra = extra
    }
}

extension TLSInfo: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case trustRoot = "TrustRoot"
        case certIssuerSubject = "CertIssuerSubject"
        case certIssuerPublicKey = "CertIssuerPublicKey"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        trustRoot = try fields(.trustRoot, as: String.self) ?? ""
        certIssuerSubject = try fields.base64(.certIssuerSubject)
        certIssuerPublicKey = try fields.base64(.certIssuerPublicKey)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(trustRoot, .trustRoot)
        try fields.base64(certIssuerSubject, .certIssuerSubject)
        try fields.base64(certIssuerPublicKey, .certIssuerPublicKey)
        try fields.extra(extra)
    }
}
