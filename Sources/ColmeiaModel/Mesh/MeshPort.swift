/// A port of a service: published on every node (`ingress`) or on the task's node
/// (`host`), and the port inside the task.
public struct MeshPort: Sendable, Hashable, Codable {
    public var `protocol`: PortProtocol
    public var targetPort: UInt32
    public var publishedPort: UInt32
    public var publishMode: PublishMode
    /// Each connection toward the task starts with a PROXY protocol v2 header naming the
    /// client (`com.colmeia.proxy-protocol` labels).
    public var proxyProtocol: Bool

    /// The service label that turns the PROXY protocol on: `com.colmeia.proxy-protocol=v2`
    /// for every published port, `com.colmeia.proxy-protocol.80=v2` for those toward target port 80.
    public static let proxyProtocolLabel = "com.colmeia.proxy-protocol"

    public init(protocol: PortProtocol = .tcp, targetPort: UInt32, publishedPort: UInt32 = 0,
                publishMode: PublishMode = .ingress, proxyProtocol: Bool = false) {
        self.protocol = `protocol`
        self.targetPort = targetPort
        self.publishedPort = publishedPort
        self.publishMode = publishMode
        self.proxyProtocol = proxyProtocol
    }
}
