import ColmeiaModel

/// The body of `POST /swarm/init` (what `docker swarm init` sends).
package struct SwarmInitRequest: Decodable, Sendable {
    var listenAddr: String?
    var advertiseAddr: String?
    var forceNewCluster: Bool?
    var spec: SwarmSpec?
    var autoLockManagers: Bool?
    var availability: String?
    var defaultAddrPool: [String]?
    var subnetSize: UInt32?
    var dataPathPort: UInt32?

    enum CodingKeys: String, CodingKey {
        case listenAddr = "ListenAddr"
        case advertiseAddr = "AdvertiseAddr"
        case forceNewCluster = "ForceNewCluster"
        case spec = "Spec"
        case autoLockManagers = "AutoLockManagers"
        case availability = "Availability"
        case defaultAddrPool = "DefaultAddrPool"
        case subnetSize = "SubnetSize"
        case dataPathPort = "DataPathPort"
    }
}
