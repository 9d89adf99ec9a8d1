/// The body of `POST /swarm/join`, with Docker's member names.
public struct SwarmJoinOptions: Sendable, Encodable {
    /// Empty: the daemon's own `--listen-addr` (Docker's 0.0.0.0:2377 unless set).
    public var listenAddr: String = ""
    public var advertiseAddr: String?
    public var dataPathAddr: String?
    public var remoteAddrs: [String] = []
    public var joinToken: String = ""
    public var availability: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case listenAddr = "ListenAddr"
        case advertiseAddr = "AdvertiseAddr"
        case dataPathAddr = "DataPathAddr"
        case remoteAddrs = "RemoteAddrs"
        case joinToken = "JoinToken"
        case availability = "Availability"
    }
}
