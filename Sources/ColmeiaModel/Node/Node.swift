/// A member of the cluster (`GET /nodes/{id}`).
public struct Node: Sendable, Hashable, PreservesUnknownFields {
    public var id: String
    /// The Raft index of the command that last changed this object.
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: NodeSpec
    public var description: NodeDescription
    public var status: NodeStatus
    /// Present only for managers.
    public var managerStatus: ManagerStatus?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        id: String = "",
        version: Version = Version(),
        createdAt: Timestamp = .zero,
        updatedAt: Timestamp = .zero,
        spec: NodeSpec = NodeSpec(),
        description: NodeDescription = NodeDescription(),
        status: NodeStatus = NodeStatus(),
        managerStatus: ManagerStatus? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.spec = spec
        self.description = description
        self.status = status
        self.managerStatus = managerStatus
        self.extra = extra
    }
}

extension Node: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case spec = "Spec"
        case description = "Description"
        case status = "Status"
        case managerStatus = "ManagerStatus"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        id = try fields(.id, as: String.self) ?? ""
        version = try fields(.version, as: Version.self) ?? Version()
        createdAt = try fields(.createdAt, as: Timestamp.self) ?? .zero
        updatedAt = try fields(.updatedAt, as: Timestamp.self) ?? .zero
        spec = try fields(.spec, as: NodeSpec.self) ?? NodeSpec()
        description = try fields(.description, as: NodeDescription.self) ?? NodeDescription()
        status = try fields(.status, as: NodeStatus.self) ?? NodeStatus()
        managerStatus = try fields(.managerStatus, as: ManagerStatus.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(id, .id)
        try fields(version, .version)
        try fields(createdAt, .createdAt)
        try fields(updatedAt, .updatedAt)
        try fields(spec, .spec)
        try fields(description, .description)
        try fields(status, .status)
        try fields.ifPresent(managerStatus, .managerStatus)
        try fields.extra(extra)
    }
}

extension Node {
    /// Where this node's cluster port is reached (`IP:PORT`): a manager's Raft address, or
    /// the address a worker advertised, with the address it was seen at standing in for an
    /// unspecified host (`0.0.0.0`). Empty when unknown.
    public var clusterAddress: String {
        if let addr = managerStatus?.addr, !addr.isEmpty { return addr }
        let advertised = description.clusterAddress
        guard let colon = advertised.lastIndex(of: ":") else { return advertised }
        let host = advertised[..<colon]
        if (host == "0.0.0.0" || host.isEmpty || host == "[::]"), !status.addr.isEmpty {
            return status.addr + advertised[colon...]
        }
        return advertised
    }
}
