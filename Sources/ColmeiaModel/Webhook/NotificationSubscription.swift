/// Where the swarm sends news (`colmeia notify create`): a URL that receives a signed JSON
/// POST when one of `Events` happens. Replicated; the signing secret is shown once.
public struct NotificationSubscription: Sendable, Hashable, Codable {
    /// What a subscription may ask to hear about.
    public static let eventTypes = ["deploy.completed", "deploy.paused", "deploy.rolled_back", "deploy.failed",
                                    "node.down", "service.unschedulable"]

    public var id: String
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: Spec
    /// HMAC key of the `X-Colmeia-Signature` header; empty in API answers after creation.
    public var secret: String

    public struct Spec: Sendable, Hashable, Codable {
        public var name: String
        public var url: String
        /// Event types (from ``NotificationSubscription/eventTypes``); empty: all of them.
        public var events: [String]
        public var labels: [String: String]

        public init(name: String = "", url: String = "", events: [String] = [], labels: [String: String] = [:]) {
            self.name = name
            self.url = url
            self.events = events
            self.labels = labels
        }

        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case url = "URL"
            case events = "Events"
            case labels = "Labels"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
            url = try container.decodeIfPresent(String.self, forKey: .url) ?? ""
            events = try container.decodeIfPresent([String].self, forKey: .events) ?? []
            labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        }

        /// Whether this subscription wants events of `type`.
        public func wants(_ type: String) -> Bool { events.isEmpty || events.contains(type) }
    }

    public init(id: String = "", spec: Spec = Spec(), secret: String = "") {
        self.id = id
        version = Version()
        createdAt = .zero
        updatedAt = .zero
        self.spec = spec
        self.secret = secret
    }

    /// Without its secret, and with its URL cut to scheme, host and port: chat services'
    /// webhook URLs are credentials themselves.
    public func redactedForAPI() -> NotificationSubscription {
        var subscription = self
        subscription.secret = ""
        subscription.spec.url = Self.origin(of: spec.url)
        return subscription
    }

    /// `https://hooks.example:8443/…` of `https://hooks.example:8443/services/T0/B1/xyz`.
    static func origin(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "…" }
        let rest = url[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hidden = rest.count > host.count && rest.dropFirst(host.count) != "/"
        return String(url[..<schemeEnd.upperBound]) + host + (hidden ? "/…" : "/")
    }

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
        spec = try container.decode(Spec.self, forKey: .spec)
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

extension NotificationSubscription: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .subscription }
    public var objectName: String { spec.name }
}
