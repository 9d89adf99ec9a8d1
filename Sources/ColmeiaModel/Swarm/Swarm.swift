/// The cluster object (`GET /swarm`): identity, spec, CA state and join tokens.
public struct Swarm: Sendable, Hashable, PreservesUnknownFields {
    public var id: String
    /// The Raft index of the command that last changed this object.
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: SwarmSpec
    public var tlsInfo: TLSInfo
    public var rootRotationInProgress: Bool
    /// CIDR pools overlay subnets are allocated from.
    public var defaultAddrPool: [String]
    public var subnetSize: UInt32
    /// The VXLAN port of the data path (4789 by default).
    public var dataPathPort: UInt32
    public var joinTokens: JoinTokens
    /// The root CA's private key (PEM), replicated so any manager can sign certificates.
    /// Never leaves the cluster through the API: see ``redactedForAPI()``.
    public var rootCAKey: String?
    /// The root rotation under way, if any (`rootRotationInProgress` mirrors it).
    public var rootRotation: RootRotation?
    /// The managers' unlock key (`SWMKEY-1-…`) while autolock is on; only
    /// `GET /swarm/unlockkey` reveals it.
    public var unlockKey: String?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        id: String = "",
        version: Version = Version(),
        createdAt: Timestamp = .zero,
        updatedAt: Timestamp = .zero,
        spec: SwarmSpec = SwarmSpec(),
        tlsInfo: TLSInfo = TLSInfo(),
        rootRotationInProgress: Bool = false,
        defaultAddrPool: [String] = [],
        subnetSize: UInt32 = 0,
        dataPathPort: UInt32 = 0,
        joinTokens: JoinTokens = JoinTokens(),
        rootCAKey: String? = nil,
        rootRotation: RootRotation? = nil,
        unlockKey: String? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.rootCAKey = rootCAKey
        self.rootRotation = rootRotation
        self.unlockKey = unlockKey
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.spec = spec
        self.tlsInfo = tlsInfo
        self.rootRotationInProgress = rootRotationInProgress
        self.defaultAddrPool = defaultAddrPool
        self.subnetSize = subnetSize
        self.dataPathPort = dataPathPort
        self.joinTokens = joinTokens
        self.extra = extra
    }
}

extension Swarm: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case spec = "Spec"
        case tlsInfo = "TLSInfo"
        case rootRotationInProgress = "RootRotationInProgress"
        case defaultAddrPool = "DefaultAddrPool"
        case subnetSize = "SubnetSize"
        case dataPathPort = "DataPathPort"
        case joinTokens = "JoinTokens"
        case rootCAKey = "ColmeiaRootCAKey"
        case rootRotation = "ColmeiaRootRotation"
        case unlockKey = "ColmeiaUnlockKey"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        id = try fields(.id, as: String.self) ?? ""
        version = try fields(.version, as: Version.self) ?? Version()
        createdAt = try fields(.createdAt, as: Timestamp.self) ?? .zero
        updatedAt = try fields(.updatedAt, as: Timestamp.self) ?? .zero
        spec = try fields(.spec, as: SwarmSpec.self) ?? SwarmSpec()
        tlsInfo = try fields(.tlsInfo, as: TLSInfo.self) ?? TLSInfo()
        rootRotationInProgress = try fields(.rootRotationInProgress, as: Bool.self) ?? false
        defaultAddrPool = try fields(.defaultAddrPool, as: [String].self) ?? []
        subnetSize = try fields(.subnetSize, as: UInt32.self) ?? 0
        dataPathPort = try fields(.dataPathPort, as: UInt32.self) ?? 0
        joinTokens = try fields(.joinTokens, as: JoinTokens.self) ?? JoinTokens()
        rootCAKey = try fields(.rootCAKey, as: String.self)
        rootRotation = try fields(.rootRotation, as: RootRotation.self)
        unlockKey = try fields(.unlockKey, as: String.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(id, .id)
        try fields(version, .version)
        try fields(createdAt, .createdAt)
        try fields(updatedAt, .updatedAt)
        try fields(spec, .spec)
        try fields(tlsInfo, .tlsInfo)
        try fields(rootRotationInProgress, .rootRotationInProgress)
        try fields(defaultAddrPool, .defaultAddrPool)
        try fields(subnetSize, .subnetSize)
        try fields(dataPathPort, .dataPathPort)
        try fields(joinTokens, .joinTokens)
        if let rootCAKey { try fields(rootCAKey, .rootCAKey) }
        if let rootRotation { try fields(rootRotation, .rootRotation) }
        if let unlockKey { try fields(unlockKey, .unlockKey) }
        try fields.extra(extra)
    }
}

extension Swarm {
    /// The cluster object as the API returns it: without the root CA's keys or the unlock key.
    public func redactedForAPI() -> Swarm {
        var copy = self
        copy.rootCAKey = nil
        copy.rootRotation = nil
        copy.unlockKey = nil
        return copy
    }

    /// The cluster object as the audit trail shows it: without the join tokens either
    /// (the API gives them to managers' callers; readers of the history need not hold them).
    public func redactedForAudit() -> Swarm {
        var copy = redactedForAPI()
        copy.joinTokens = JoinTokens()
        return copy
    }
}
