/// A node that can run tasks, and where its end of the data path listens.
public struct MeshNode: Sendable, Hashable, Codable {
    public var id: String
    /// `IP:PORT` of its data path (mutual TLS with the node certificates).
    public var dataPathAddress: String

    public init(id: String, dataPathAddress: String) {
        self.id = id
        self.dataPathAddress = dataPathAddress
    }
}
