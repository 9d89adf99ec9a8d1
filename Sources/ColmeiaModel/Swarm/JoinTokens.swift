/// The secrets a node presents to join as a worker or a manager (`SWMTKN-1-…`).
public struct JoinTokens: Sendable, Hashable, PreservesUnknownFields {
    public var worker: String
    public var manager: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(worker: String = "", manager: String = "", extra: [String: JSONValue] = [:]) {
        self.worker = worker
        self.manager = manager
        self.extra = extra
    }
}

extension JoinTokens: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case worker = "Worker"
        case manager = "Manager"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        worker = try fields(.worker, as: String.self) ?? ""
        manager = try fields(.manager, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(worker, .worker)
        try fields(manager, .manager)
        try fields.extra(extra)
    }
}
