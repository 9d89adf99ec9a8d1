/// A task that takes connections, where it runs and its addresses on its networks.
public struct MeshTask: Sendable, Hashable, Codable {
    public var id: String
    public var slot: Int
    public var nodeID: String
    /// `NetworkID` and `Addr` (CIDR) of each network the task joins.
    public var addresses: [EndpointVirtualIP]

    public init(id: String, slot: Int = 0, nodeID: String, addresses: [EndpointVirtualIP] = []) {
        self.id = id
        self.slot = slot
        self.nodeID = nodeID
        self.addresses = addresses
    }
}
