/// The first line on a data path connection (JSON): which task of this node the sender
/// wants, on which port, for which client.
struct DataPathRequest: Sendable, Hashable, Codable {
    var service: String
    var task: String
    var port: UInt32
    /// The client's `IP` and port, for the PROXY protocol header.
    var clientIP: String
    var clientPort: Int
    /// Where the client connected (a node's published port, a service address).
    var destinationIP: String
    var destinationPort: Int
    /// Whether the task wants a PROXY protocol v2 header first.
    var proxyProtocol: Bool
    /// `udp`: datagrams follow, framed (``DatagramFrames``); absent or `tcp`: a stream.
    var `protocol`: String? = nil

    /// The longest line a receiver reads before giving up on a sender.
    static let limit = 4_096
}
