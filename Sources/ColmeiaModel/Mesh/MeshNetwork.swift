/// A cluster network: its name and address block.
public struct MeshNetwork: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// `a.b.c.d/len`, or empty when it has no IPv4 block.
    public var subnet: String
    public var ingress: Bool

    public init(id: String, name: String, subnet: String, ingress: Bool = false) {
        self.id = id
        self.name = name
        self.subnet = subnet
        self.ingress = ingress
    }
}
