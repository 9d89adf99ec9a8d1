import ColmeiaModel
import Foundation

/// What creating or rotating a webhook answers, once: its secret and the path to call.
public struct WebhookCredentials: Sendable, Codable {
    public var id: String
    public var name: String
    public var provider: WebhookSpec.Provider
    public var secret: String
    public var path: String

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case name = "Name"
        case provider = "Provider"
        case secret = "Secret"
        case path = "Path"
    }
}

/// What creating a notification subscription answers, once.
public struct SubscriptionCredentials: Sendable, Codable {
    public var id: String
    public var name: String
    public var secret: String

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case name = "Name"
        case secret = "Secret"
    }
}

/// A deploy with its progress per slot (`GET /colmeia/v1/deploys/{id}`).
public struct DeployDetail: Sendable, Codable {
    public struct Slot: Sendable, Codable {
        public var slot: Int?
        public var nodeID: String
        public var taskID: String
        public var image: String
        public var state: String
        public var desiredState: String
        public var err: String?
        public var updated: Bool

        enum CodingKeys: String, CodingKey {
            case slot = "Slot"
            case nodeID = "NodeID"
            case taskID = "TaskID"
            case image = "Image"
            case state = "State"
            case desiredState = "DesiredState"
            case err = "Err"
            case updated = "Updated"
        }
    }

    public var deploy: Deploy
    public var slots: [Slot]

    enum CodingKeys: String, CodingKey {
        case slots = "Slots"
    }

    public init(from decoder: any Decoder) throws {
        deploy = try Deploy(from: decoder)
        slots = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([Slot].self, forKey: .slots) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        try deploy.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(slots, forKey: .slots)
    }
}

extension ColmeiaClient {
    public func webhooks() async throws -> [Webhook] {
        try await decode([Webhook].self, "/colmeia/v1/webhooks")
    }

    public func webhook(_ reference: String) async throws -> Webhook {
        try await decode(Webhook.self, "/colmeia/v1/webhooks/" + Self.segment(reference))
    }

    /// `POST /colmeia/v1/webhooks`: the answer holds the secret, shown this once.
    public func createWebhook(_ spec: WebhookSpec) async throws -> WebhookCredentials {
        try await decode(WebhookCredentials.self, "/colmeia/v1/webhooks", method: .POST, body: Self.encode(spec))
    }

    public func updateWebhook(_ reference: String, version: UInt64, spec: WebhookSpec) async throws {
        try await data(.POST, "/colmeia/v1/webhooks/" + Self.segment(reference) + "/update", query: [("version", String(version))],
                       body: Self.encode(spec))
    }

    /// A new secret; the old one stops working at once.
    public func rotateWebhook(_ reference: String) async throws -> WebhookCredentials {
        try await decode(WebhookCredentials.self, "/colmeia/v1/webhooks/" + Self.segment(reference) + "/rotate", method: .POST)
    }

    public func removeWebhook(_ reference: String) async throws {
        try await data(.DELETE, "/colmeia/v1/webhooks/" + Self.segment(reference))
    }

    /// Deploys, newest first.
    public func deploys(filters: [String: [String]] = [:]) async throws -> [Deploy] {
        try await decode([Deploy].self, "/colmeia/v1/deploys", query: Self.filtersQuery(filters))
    }

    public func deploy(_ reference: String) async throws -> DeployDetail {
        try await decode(DeployDetail.self, "/colmeia/v1/deploys/" + Self.segment(reference))
    }

    public func subscriptions() async throws -> [NotificationSubscription] {
        try await decode([NotificationSubscription].self, "/colmeia/v1/notifications")
    }

    public func createSubscription(_ spec: NotificationSubscription.Spec) async throws -> SubscriptionCredentials {
        try await decode(SubscriptionCredentials.self, "/colmeia/v1/notifications", method: .POST, body: Self.encode(spec))
    }

    public func removeSubscription(_ reference: String) async throws {
        try await data(.DELETE, "/colmeia/v1/notifications/" + Self.segment(reference))
    }

    /// A subscription's delivery log, newest first.
    public func deliveries(of reference: String) async throws -> [NotificationDelivery] {
        try await decode([NotificationDelivery].self, "/colmeia/v1/notifications/" + Self.segment(reference) + "/deliveries")
    }
}
