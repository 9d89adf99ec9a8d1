/// The body of `POST /swarm/join`, with Docker's member names.
public struct SwarmJoinOptions: Sendable, Encodable {
    public var listenAddr: String = "0.0.0.0:2377"
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
