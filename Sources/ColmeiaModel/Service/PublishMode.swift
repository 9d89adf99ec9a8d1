/// How a port is published: on every node through the routing mesh (`ingress`) or only on the node running the task (`host`).
public struct PublishMode: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let ingress: PublishMode = "ingress"
    public static let host: PublishMode = "host"

    public static let knownValues: [PublishMode] = [.ingress, .host]
}
