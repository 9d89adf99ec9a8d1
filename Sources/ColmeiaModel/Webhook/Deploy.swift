/// One rollout a webhook delivery started (`GET /colmeia/v1/deploys/{id}`): the service's
/// ordinary rolling update, followed by the leader until it ends `completed`, `paused`,
/// `rolled_back` or `failed`. Its name, `WEBHOOK/DELIVERY/SERVICE`, is unique: a redelivery
/// finds the deploy its first delivery started instead of starting another.
public struct Deploy: Sendable, Hashable, Codable {
    /// Where a deploy is.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// The service's update is running (or about to start).
        case updating
        /// The update failed and the service is rolling back (`--update-failure-action rollback`).
        case rollingBack = "rolling_back"
        /// Every task runs the new image and passed its monitor period.
        case completed
        /// The update paused on a failure (`--update-failure-action pause`, Docker's default).
        case paused
        /// The update failed and the service went back to its previous spec.
        case rolledBack = "rolled_back"
        /// The rollback itself failed, the service was removed, or another update replaced this one.
        case failed

        /// Whether the deploy has its outcome.
        public var isFinal: Bool { self != .updating && self != .rollingBack }
    }

    /// Rollout progress: slots (or nodes, for a global service) on the new image.
    public struct Progress: Sendable, Hashable, Codable {
        public var total: Int
        public var updated: Int
        public var failed: Int

        public init(total: Int = 0, updated: Int = 0, failed: Int = 0) {
            self.total = total
            self.updated = updated
            self.failed = failed
        }

        enum CodingKeys: String, CodingKey {
            case total = "Total"
            case updated = "Updated"
            case failed = "Failed"
        }
    }

    public var id: String
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// `WEBHOOK-ID/DELIVERY-ID/SERVICE-ID`: the deduplication key.
    public var name: String
    public var webhookID: String
    public var webhookName: String
    public var provider: WebhookSpec.Provider
    /// The delivery id the sender gave (`X-GitHub-Delivery`, `X-Gitlab-Event-UUID`,
    /// `Idempotency-Key`), or one derived from the body.
    public var delivery: String
    /// What the sender said happened: `push`, `tag_push`, `registry_package`, …
    public var event: String
    public var serviceID: String
    public var serviceName: String
    /// The image the service is rolled to, and the one it ran before.
    public var image: String
    public var previousImage: String
    /// The service's `Version.Index` after the update this deploy made.
    public var serviceVersion: UInt64
    /// The service's `ForceUpdate` counter in that update (tells a redeploy of the same image
    /// from a later one).
    public var forceUpdate: UInt64
    public var state: State
    /// Why it ended as it did, in Docker's words (the update status message, the task error).
    public var message: String
    public var completedAt: Timestamp?
    public var progress: Progress
    /// The task template the deploy rolled out (without registry credentials): tells this
    /// deploy's update from any later change of the service.
    public var template: TaskSpec?

    public init(id: String, name: String, webhookID: String, webhookName: String, provider: WebhookSpec.Provider,
                delivery: String, event: String, serviceID: String, serviceName: String, image: String, previousImage: String,
                forceUpdate: UInt64, state: State = .updating, message: String = "", progress: Progress = Progress()) {
        self.id = id
        version = Version()
        createdAt = .zero
        updatedAt = .zero
        self.name = name
        self.webhookID = webhookID
        self.webhookName = webhookName
        self.provider = provider
        self.delivery = delivery
        self.event = event
        self.serviceID = serviceID
        self.serviceName = serviceName
        self.image = image
        self.previousImage = previousImage
        serviceVersion = 0
        self.forceUpdate = forceUpdate
        self.state = state
        self.message = message
        self.progress = progress
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case name = "Name"
        case webhookID = "WebhookID"
        case webhookName = "WebhookName"
        case provider = "Provider"
        case delivery = "Delivery"
        case event = "Event"
        case serviceID = "ServiceID"
        case serviceName = "ServiceName"
        case image = "Image"
        case previousImage = "PreviousImage"
        case serviceVersion = "ServiceVersion"
        case forceUpdate = "ForceUpdate"
        case state = "State"
        case message = "Message"
        case completedAt = "CompletedAt"
        case progress = "Progress"
        case template = "Template"
    }

    /// A template as deploys compare them: without registry credentials.
    public static func comparable(_ template: TaskSpec) -> TaskSpec {
        var template = template
        template.containerSpec?.pullOptions = nil
        return template
    }

    /// Whether `template` is the one this deploy rolled out.
    public func rolledOut(_ template: TaskSpec) -> Bool {
        guard let wanted = self.template else {
            return template.containerSpec?.image == image && template.forceUpdate == forceUpdate
        }
        return Self.comparable(template) == wanted
    }
}

extension Deploy: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .deploy }
    public var objectName: String { name }
}
