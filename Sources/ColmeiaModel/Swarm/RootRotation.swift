/// A root CA rotation under way (`docker swarm ca --rotate`): the new root, its key, and
/// the new root cross-signed by the current one. New certificates are issued by the new
/// root with the cross-signed certificate in their chain, so nodes that still trust only
/// the current root accept them; once every node holds one, the new root replaces the
/// current one. Replicated, never returned by the API.
public struct RootRotation: Sendable, Hashable, Codable {
    /// The new root certificate (PEM).
    public var caCertificate: String
    /// The new root's private key (PEM).
    public var caKey: String
    /// The new root's certificate signed by the current root (PEM).
    public var crossSignedCACertificate: String

    public init(caCertificate: String, caKey: String, crossSignedCACertificate: String) {
        self.caCertificate = caCertificate
        self.caKey = caKey
        self.crossSignedCACertificate = crossSignedCACertificate
    }

    enum CodingKeys: String, CodingKey {
        case caCertificate = "CACert"
        case caKey = "CAKey"
        case crossSignedCACertificate = "CrossSignedCACert"
    }
}
