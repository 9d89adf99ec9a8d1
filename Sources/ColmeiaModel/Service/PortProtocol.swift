/// The transport protocol of a published port: `tcp`, `udp` or `sctp`.
public struct PortProtocol: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let tcp: PortProtocol = "tcp"
    public static let udp: PortProtocol = "udp"
    public static let sctp: PortProtocol = "sctp"

    public static let knownValues: [PortProtocol] = [.tcp, .udp, .sctp]
}
