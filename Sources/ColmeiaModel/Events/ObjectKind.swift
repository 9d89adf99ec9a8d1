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
    /// A refused API request: recorded in the audit trail only, never stored as an object.
    case request
    /// A backup of the event log: recorded in the audit trail only.
    case backup
}
