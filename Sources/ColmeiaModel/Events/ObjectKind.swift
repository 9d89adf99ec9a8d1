/// The kinds of object the cluster stores.
public enum ObjectKind: String, Sendable, Hashable, CaseIterable, Codable {
    case cluster
    case node
    case service
    case task
    case secret
    case config
    case network
}
