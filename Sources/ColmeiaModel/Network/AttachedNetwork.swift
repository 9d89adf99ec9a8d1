/// A network in the Swarm API's shape (as inside a task's `NetworksAttachments`).
public struct AttachedNetwork: Sendable, Hashable, PreservesUnknownFields {
    public var id: String
    /// The Raft index of the command that last changed this object.
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: AttachedNetwork.Spec
    public var driverState: Driver
    public var ipamOptions: IPAMOptions?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        id: String = "",
        version: Version = Version(),
        createdAt: Timestamp = .zero,
        updatedAt: Timestamp = .zero,
        spec: AttachedNetwork.Spec = AttachedNetwork.Spec(),
        driverState: Driver = Driver(),
        ipamOptions: IPAMOptions? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.spec = spec
        self.driverState = driverState
        self.ipamOptions = ipamOptions
        self.extra = extra
    }
}

extension AttachedNetwork: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case spec = "Spec"
        case driverState = "DriverState"
        case ipamOptions = "IPAMOptions"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        id = try fields(.id, as: String.self) ?? ""
        version = try fields(.version, as: Version.self) ?? Version()
        createdAt = try fields(.createdAt, as: Timestamp.self) ?? .zero
        updatedAt = try fields(.updatedAt, as: Timestamp.self) ?? .zero
        spec = try fields(.spec, as: AttachedNetwork.Spec.self) ?? AttachedNetwork.Spec()
        driverState = try fields(.driverState, as: Driver.self) ?? Driver()
        ipamOptions = try fields(.ipamOptions, as: IPAMOptions.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(id, .id)
        try fields(version, .version)
        try fields(createdAt, .createdAt)
        try fields(updatedAt, .updatedAt)
        try fields(spec, .spec)
        try fields(driverState, .driverState)
        try fields.ifPresent(ipamOptions, .ipamOptions)
        try fields.extra(extra)
    }
}
