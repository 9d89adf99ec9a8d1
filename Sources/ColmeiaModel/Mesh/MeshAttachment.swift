/// A network a service joins, and the extra names (aliases) it has there: a stack's
/// services answer to their short names on the stack's networks.
public struct MeshAttachment: Sendable, Hashable, Codable {
    public var networkID: String
    public var aliases: [String]

    public init(networkID: String, aliases: [String] = []) {
        self.networkID = networkID
        self.aliases = aliases
    }
}
