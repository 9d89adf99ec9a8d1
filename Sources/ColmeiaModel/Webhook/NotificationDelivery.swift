/// One message to one subscription, and what became of it: the subscription's delivery log
/// (`colmeia notify deliveries NAME`). The leader posts pending deliveries and records each
/// attempt; a receiver that is down is retried with exponential back-off. Its name,
/// `SUBSCRIPTION-ID/KEY`, is unique: one event is never queued twice for one receiver.
public struct NotificationDelivery: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case pending
        case delivered
        /// Given up after ``NotificationDelivery/maxAttempts``.
        case failed
    }

    /// Attempts before a delivery is given up (with back-off capped at a minute: about an hour).
    public static let maxAttempts = 60

    public var id: String
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var name: String
    public var subscriptionID: String
    /// `deploy.rolled_back`, `node.down`, …
    public var event: String
    /// The JSON body posted (without the signature, which is made at each attempt).
    public var payload: JSONValue
    public var state: State
    public var attempts: Int
    /// The receiver's last HTTP status (0: no answer).
    public var lastStatus: Int
    public var lastError: String
    public var nextAttemptAt: Timestamp?
    public var deliveredAt: Timestamp?

    public init(id: String, subscriptionID: String, key: String, event: String, payload: JSONValue) {
        self.id = id
        version = Version()
        createdAt = .zero
        updatedAt = .zero
        name = subscriptionID + "/" + key
        self.subscriptionID = subscriptionID
        self.event = event
        self.payload = payload
        state = .pending
        attempts = 0
        lastStatus = 0
        lastError = ""
    }

    /// The wait before attempt `attempts + 1`: 0.5 s doubling, at most a minute.
    public static func backoff(afterAttempts attempts: Int) -> Int64 {
        let exponent = min(max(attempts - 1, 0), 7)
        return min(500_000_000 << Int64(exponent), 60_000_000_000)
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case name = "Name"
        case subscriptionID = "SubscriptionID"
        case event = "Event"
        case payload = "Payload"
        case state = "State"
        case attempts = "Attempts"
        case lastStatus = "LastStatus"
        case lastError = "LastError"
        case nextAttemptAt = "NextAttemptAt"
        case deliveredAt = "DeliveredAt"
    }
}

extension NotificationDelivery: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .delivery }
    public var objectName: String { name }
}
