import ColmeiaModel

/// The body of `POST /swarm/init`, with Docker's member names.
public struct SwarmInitOptions: Sendable, Encodable {
    /// Empty: the daemon's own `--listen-addr` (Docker's 0.0.0.0:2377 unless set).
    public var listenAddr: String = ""
    public var advertiseAddr: String?
    public var dataPathAddr: String?
    public var forceNewCluster: Bool = false
    public var spec: SwarmSpec = SwarmSpec()
    public var autoLockManagers: Bool = false
    public var availability: String?
    public var defaultAddrPool: [String]?
    public var subnetSize: UInt32?
    public var dataPathPort: UInt32?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case listenAddr = "ListenAddr"
        case advertiseAddr = "AdvertiseAddr"
        case dataPathAddr = "DataPathAddr"
        case forceNewCluster = "ForceNewCluster"
        case spec = "Spec"
        case autoLockManagers = "AutoLockManagers"
        case availability = "Availability"
        case defaultAddrPool = "DefaultAddrPool"
        case subnetSize = "SubnetSize"
        case dataPathPort = "DataPathPort"
    }
}
