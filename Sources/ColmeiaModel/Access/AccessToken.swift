/// A bearer token for the API (`colmeia token create NAME --role …`): replicated so that
/// every manager accepts and revokes it alike; only a hash of its secret is kept.
public struct AccessToken: Sendable, Hashable {
    public var id: String
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: AccessTokenSpec
    /// SHA-256 of the secret, hex.
    public var secretHash: String

    public init(id: String = "", version: Version = Version(), createdAt: Timestamp = .zero, updatedAt: Timestamp = .zero,
                spec: AccessTokenSpec = AccessTokenSpec(), secretHash: String = "") {
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.spec = spec
        self.secretHash = secretHash
    }

    /// Whether the token has expired at `now`.
    public func hasExpired(at now: Timestamp) -> Bool {
        spec.expiresAt.map { $0 <= now } ?? false
    }

    /// The token as the API lists it: without its hash.
    public func redactedForAPI() -> AccessToken {
        var token = self
        token.secretHash = ""
        return token
    }
}

extension AccessToken: Codable {
    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case spec = "Spec"
        case secretHash = "SecretHash"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        version = try container.decodeIfPresent(Version.self, forKey: .version) ?? Version()
        createdAt = try container.decodeIfPresent(Timestamp.self, forKey: .createdAt) ?? .zero
        updatedAt = try container.decodeIfPresent(Timestamp.self, forKey: .updatedAt) ?? .zero
        spec = try container.decode(AccessTokenSpec.self, forKey: .spec)
        secretHash = try container.decodeIfPresent(String.self, forKey: .secretHash) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(version, forKey: .version)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(spec, forKey: .spec)
        if !secretHash.isEmpty { try container.encode(secretHash, forKey: .secretHash) }
    }
}

/// What a token is for: its name, role, the services a deployer may touch, its expiry.
public struct AccessTokenSpec: Sendable, Hashable, Codable {
    public var name: String
    public var role: AccessRole
    /// A deployer's services: those carrying every one of these labels…
    public var labels: [String: String]
    /// …and, when set, belonging to this stack (`com.docker.stack.namespace`).
    public var stack: String?
    public var expiresAt: Timestamp?

    public init(name: String = "", role: AccessRole = .viewer, labels: [String: String] = [:], stack: String? = nil,
                expiresAt: Timestamp? = nil) {
        self.name = name
        self.role = role
        self.labels = labels
        self.stack = stack
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case role = "Role"
        case labels = "Labels"
        case stack = "Stack"
        case expiresAt = "ExpiresAt"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        role = try container.decodeIfPresent(AccessRole.self, forKey: .role) ?? .viewer
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        stack = try container.decodeIfPresent(String.self, forKey: .stack)
        expiresAt = try container.decodeIfPresent(Timestamp.self, forKey: .expiresAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        if !labels.isEmpty { try container.encode(labels, forKey: .labels) }
        try container.encodeIfPresent(stack, forKey: .stack)
        try container.encodeIfPresent(expiresAt, forKey: .expiresAt)
    }

    /// Whether a deployer holding this token may touch a service with these labels.
    public func covers(serviceLabels: [String: String]) -> Bool {
        if let stack, serviceLabels["com.docker.stack.namespace"] != stack { return false }
        return labels.allSatisfy { serviceLabels[$0.key] == $0.value }
    }
}

extension AccessToken: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .token }
    public var objectName: String { spec.name }
}
