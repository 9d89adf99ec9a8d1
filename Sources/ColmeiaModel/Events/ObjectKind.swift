/// The kinds of object the cluster stores.
public enum ObjectKind: String, Sendable, Hashable, CaseIterable, Codable {
    case cluster
    case node
    case service
    case task
    case secret
    case config
    case network
    /// An API bearer token (Colmeia's own).
    case token
    /// An inbound webhook that deploys a service.
    case webhook
    /// A rollout a webhook delivery started.
    case deploy
    /// A receiver of notifications.
    case subscription
    /// One notification to one receiver, with its attempts.
    case delivery
    /// A refused API request: recorded in the audit trail only, never stored as an object.
    case request
    /// A backup of the event log: recorded in the audit trail only.
    case backup
}
