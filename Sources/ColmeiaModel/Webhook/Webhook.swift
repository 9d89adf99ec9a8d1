/// An inbound webhook (`colmeia webhook create`): a named endpoint,
/// `POST /colmeia/v1/hooks/{name}`, that rolls a service (or a stack's services) to the
/// image a CI system or registry announces. Replicated, so every manager authenticates and
/// deduplicates deliveries alike; its secret is kept to check signatures and never shown
/// again after creation.
public struct Webhook: Sendable, Hashable {
    public var id: String
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: WebhookSpec
    /// The shared secret: the HMAC key (GitHub, generic), the token (GitLab), the path
    /// token (Docker Hub). Empty in every API answer but creation and rotation.
    public var secret: String

    public init(id: String = "", version: Version = Version(), createdAt: Timestamp = .zero, updatedAt: Timestamp = .zero,
                spec: WebhookSpec = WebhookSpec(), secret: String = "") {
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.spec = spec
        self.secret = secret
    }

    /// The webhook as the API lists it and the audit trail records it: without its secret.
    public func redactedForAPI() -> Webhook {
        var hook = self
        hook.secret = ""
        return hook
    }
}

extension Webhook: Codable {
    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case spec = "Spec"
        case secret = "Secret"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        version = try container.decodeIfPresent(Version.self, forKey: .version) ?? Version()
        createdAt = try container.decodeIfPresent(Timestamp.self, forKey: .createdAt) ?? .zero
        updatedAt = try container.decodeIfPresent(Timestamp.self, forKey: .updatedAt) ?? .zero
        spec = try container.decode(WebhookSpec.self, forKey: .spec)
        secret = try container.decodeIfPresent(String.self, forKey: .secret) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(version, forKey: .version)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(spec, forKey: .spec)
        if !secret.isEmpty { try container.encode(secret, forKey: .secret) }
    }
}

extension Webhook: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .webhook }
    public var objectName: String { spec.name }
}
