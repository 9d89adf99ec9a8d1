/// One change to the cluster state: the vocabulary of the replicated log. Objects are
/// carried whole, in their Docker JSON shape, so apply is a plain upsert or delete.
public enum ClusterEvent: Sendable, Hashable {
    case clusterCreated(Swarm)
    case clusterUpdated(Swarm)
    case nodeCreated(Node)
    case nodeUpdated(Node)
    case nodeRemoved(id: String)
    case serviceCreated(Service)
    case serviceUpdated(Service)
    case serviceRemoved(id: String)
    case taskCreated(SwarmTask)
    case taskUpdated(SwarmTask)
    case taskRemoved(id: String)
    /// A task's observed status from its agent, without rewriting the whole task (batched
    /// status reports become one command with many of these).
    case taskStatusChanged(taskID: String, status: TaskStatus)
    /// The scheduler's decision: a pending task goes to a node. Lands only while the task
    /// is still unassigned and wanted, so a batch of decisions never undoes a concurrent
    /// shutdown.
    case taskAssigned(taskID: String, nodeID: String, status: TaskStatus)
    /// A reconciler moves a task's desired state forward (e.g. to `shutdown`); never back.
    case taskDesiredStateChanged(taskID: String, desiredState: TaskState)
    case secretCreated(Secret)
    case secretUpdated(Secret)
    case secretRemoved(id: String)
    case configCreated(Config)
    case configUpdated(Config)
    case configRemoved(id: String)
    case networkCreated(Network)
    case networkUpdated(Network)
    case networkRemoved(id: String)
    case tokenCreated(AccessToken)
    case tokenRemoved(id: String)
    case webhookCreated(Webhook)
    case webhookUpdated(Webhook)
    case webhookRemoved(id: String)
    case deployCreated(Deploy)
    case deployUpdated(Deploy)
    case deployRemoved(id: String)
    case subscriptionCreated(NotificationSubscription)
    case subscriptionRemoved(id: String)
    case deliveryCreated(NotificationDelivery)
    case deliveryUpdated(NotificationDelivery)
    case deliveryRemoved(id: String)
    /// An API request refused for lack of permission: only an audit record.
    case requestRefused(AccessDenial)
    /// A backup of the log was written (or failed): only an audit record.
    case backup(BackupRecord)

    /// What happened to the object.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case created
        case updated
        case removed
        case statusChanged = "status_changed"
        case assigned
        case desiredStateChanged = "desired_state_changed"
        case refused
        case written
        case failed
    }

    /// The kind of object the event changes.
    public var objectKind: ObjectKind {
        switch self {
        case .clusterCreated, .clusterUpdated: .cluster
        case .nodeCreated, .nodeUpdated, .nodeRemoved: .node
        case .serviceCreated, .serviceUpdated, .serviceRemoved: .service
        case .taskCreated, .taskUpdated, .taskRemoved, .taskStatusChanged, .taskAssigned, .taskDesiredStateChanged: .task
        case .secretCreated, .secretUpdated, .secretRemoved: .secret
        case .configCreated, .configUpdated, .configRemoved: .config
        case .networkCreated, .networkUpdated, .networkRemoved: .network
        case .tokenCreated, .tokenRemoved: .token
        case .webhookCreated, .webhookUpdated, .webhookRemoved: .webhook
        case .deployCreated, .deployUpdated, .deployRemoved: .deploy
        case .subscriptionCreated, .subscriptionRemoved: .subscription
        case .deliveryCreated, .deliveryUpdated, .deliveryRemoved: .delivery
        case .requestRefused: .request
        case .backup: .backup
        }
    }

    public var action: Action {
        switch self {
        case .clusterCreated, .nodeCreated, .serviceCreated, .taskCreated, .secretCreated,
            .configCreated, .networkCreated, .tokenCreated, .webhookCreated, .deployCreated, .subscriptionCreated,
            .deliveryCreated:
            .created
        case .clusterUpdated, .nodeUpdated, .serviceUpdated, .taskUpdated, .secretUpdated,
            .configUpdated, .networkUpdated, .webhookUpdated, .deployUpdated, .deliveryUpdated:
            .updated
        case .nodeRemoved, .serviceRemoved, .taskRemoved, .secretRemoved, .configRemoved,
            .networkRemoved, .tokenRemoved, .webhookRemoved, .deployRemoved, .subscriptionRemoved, .deliveryRemoved:
            .removed
        case .requestRefused:
            .refused
        case .backup(let record):
            record.error == nil ? .written : .failed
        case .taskStatusChanged:
            .statusChanged
        case .taskAssigned:
            .assigned
        case .taskDesiredStateChanged:
            .desiredStateChanged
        }
    }

    /// The stable type name, `kind.action`, e.g. `service.created`, `task.status_changed`.
    public var type: String { objectKind.rawValue + "." + action.rawValue }

    /// The id of the object the event changes.
    public var objectID: String {
        switch self {
        case .nodeRemoved(let id), .serviceRemoved(let id), .taskRemoved(let id),
            .secretRemoved(let id), .configRemoved(let id), .networkRemoved(let id), .tokenRemoved(let id),
            .webhookRemoved(let id), .deployRemoved(let id), .subscriptionRemoved(let id), .deliveryRemoved(let id):
            id
        case .requestRefused(let denial):
            denial.method + " " + denial.path
        case .backup(let record):
            record.file
        case .taskStatusChanged(let id, _), .taskAssigned(let id, _, _), .taskDesiredStateChanged(let id, _):
            id
        case .clusterCreated(let object), .clusterUpdated(let object): object.objectID
        case .nodeCreated(let object), .nodeUpdated(let object): object.objectID
        case .serviceCreated(let object), .serviceUpdated(let object): object.objectID
        case .taskCreated(let object), .taskUpdated(let object): object.objectID
        case .secretCreated(let object), .secretUpdated(let object): object.objectID
        case .configCreated(let object), .configUpdated(let object): object.objectID
        case .networkCreated(let object), .networkUpdated(let object): object.objectID
        case .tokenCreated(let object): object.objectID
        case .webhookCreated(let object), .webhookUpdated(let object): object.objectID
        case .deployCreated(let object), .deployUpdated(let object): object.objectID
        case .subscriptionCreated(let object): object.objectID
        case .deliveryCreated(let object), .deliveryUpdated(let object): object.objectID
        }
    }

    /// The object the event carries, if it carries a whole one.
    public var object: (any ClusterObject)? {
        switch self {
        case .clusterCreated(let object), .clusterUpdated(let object): object
        case .nodeCreated(let object), .nodeUpdated(let object): object
        case .serviceCreated(let object), .serviceUpdated(let object): object
        case .taskCreated(let object), .taskUpdated(let object): object
        case .secretCreated(let object), .secretUpdated(let object): object
        case .configCreated(let object), .configUpdated(let object): object
        case .networkCreated(let object), .networkUpdated(let object): object
        case .tokenCreated(let object): object
        case .webhookCreated(let object), .webhookUpdated(let object): object
        case .deployCreated(let object), .deployUpdated(let object): object
        case .subscriptionCreated(let object): object
        case .deliveryCreated(let object), .deliveryUpdated(let object): object
        case .webhookRemoved, .deployRemoved, .subscriptionRemoved, .deliveryRemoved: nil
        case .nodeRemoved, .serviceRemoved, .taskRemoved, .taskStatusChanged, .taskAssigned,
            .taskDesiredStateChanged, .secretRemoved, .configRemoved, .networkRemoved, .tokenRemoved, .requestRefused, .backup:
            nil
        }
    }

    /// The event with secret data (and the cluster's CA and unlock keys) removed, for the audit trail and change feeds.
    public func redacted() -> ClusterEvent {
        switch self {
        case .secretCreated(let secret): .secretCreated(secret.redactedForAPI())
        case .secretUpdated(let secret): .secretUpdated(secret.redactedForAPI())
        case .clusterCreated(let swarm): .clusterCreated(swarm.redactedForAPI())
        case .clusterUpdated(let swarm): .clusterUpdated(swarm.redactedForAPI())
        case .tokenCreated(let token): .tokenCreated(token.redactedForAPI())
        case .webhookCreated(let hook): .webhookCreated(hook.redactedForAPI())
        case .webhookUpdated(let hook): .webhookUpdated(hook.redactedForAPI())
        case .subscriptionCreated(let subscription): .subscriptionCreated(subscription.redactedForAPI())
        default: self
        }
    }
}
