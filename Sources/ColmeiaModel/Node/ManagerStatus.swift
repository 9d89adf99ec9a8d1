/// A manager's place in the Raft cluster.
public struct ManagerStatus: Sendable, Hashable, PreservesUnknownFields {
    public var leader: Bool
    public var reachability: Reachability
    /// The cluster address, `IP:2377`.
    public var addr: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        leader: Bool = false,
        reachability: Reachability = "",
        addr: String = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.leader = leader
        self.reachability = reachability
        self.addr = addr
        self.extra = extra
    }
}

extension ManagerStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case leader = "Leader"
        case reachability = "Reachability"
        case addr = "Addr"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        leader = try fields(.leader, as: Bool.self) ?? false
        reachability = try fields(.reachability, as: Reachability.self) ?? ""
        addr = try fields(.addr, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(leader, .leader)
        try fields.omitEmpty(reachability, .reachability)
        try fields.omitEmpty(addr, .addr)
        try fields.extra(extra)
    }
}
