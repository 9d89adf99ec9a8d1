/// What a node reports about itself.
public struct NodeDescription: Sendable, Hashable, PreservesUnknownFields {
    public var hostname: String
    public var platform: Platform
    public var resources: Resources
    public var engine: EngineDescription
    public var tlsInfo: TLSInfo
    /// Where other nodes reach this node's cluster port (`IP:PORT`): Colmeia's, not
    /// Docker's (a worker's port is not in Docker's node object). Managers fan requests out
    /// to it, such as `docker service logs` for the tasks this node runs.
    public var clusterAddress: String
    /// Where other nodes reach this node's end of the routing mesh (`IP:PORT`, mutual TLS
    /// with the node certificates): connections for the tasks this node runs.
    public var dataPathAddress: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        hostname: String = "",
        platform: Platform = Platform(),
        resources: Resources = Resources(),
        engine: EngineDescription = EngineDescription(),
        tlsInfo: TLSInfo = TLSInfo(),
        clusterAddress: String = "",
        dataPathAddress: String = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.hostname = hostname
        self.platform = platform
        self.resources = resources
        self.engine = engine
        self.tlsInfo = tlsInfo
        self.clusterAddress = clusterAddress
        self.dataPathAddress = dataPathAddress
        self.extra = extra
    }
}

extension NodeDescription: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case hostname = "Hostname"
        case platform = "Platform"
        case resources = "Resources"
        case engine = "Engine"
        case tlsInfo = "TLSInfo"
        case clusterAddress = "ColmeiaClusterAddr"
        case dataPathAddress = "ColmeiaDataPathAddr"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        hostname = try fields(.hostname, as: String.self) ?? ""
        platform = try fields(.platform, as: Platform.self) ?? Platform()
        resources = try fields(.resources, as: Resources.self) ?? Resources()
        engine = try fields(.engine, as: EngineDescription.self) ?? EngineDescription()
        tlsInfo = try fields(.tlsInfo, as: TLSInfo.self) ?? TLSInfo()
        clusterAddress = try fields(.clusterAddress, as: String.self) ?? ""
        dataPathAddress = try fields(.dataPathAddress, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(hostname, .hostname)
        try fields(platform, .platform)
        try fields(resources, .resources)
        try fields(engine, .engine)
        try fields(tlsInfo, .tlsInfo)
        try fields.omitEmpty(clusterAddress, .clusterAddress)
        try fields.omitEmpty(dataPathAddress, .dataPathAddress)
        try fields.extra(extra)
    }
}
