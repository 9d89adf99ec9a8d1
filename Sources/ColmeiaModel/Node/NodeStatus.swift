/// A node's state as seen by the managers.
public struct NodeStatus: Sendable, Hashable, PreservesUnknownFields {
    public var state: NodeState
    public var message: String
    /// The IP address the node is reached at.
    public var addr: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        state: NodeState = "",
        message: String = "",
        addr: String = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.state = state
        self.message = message
        self.addr = addr
        self.extra = extra
    }
}

extension NodeStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case state = "State"
        case message = "Message"
        case addr = "Addr"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        state = try fields(.state, as: NodeState.self) ?? ""
        message = try fields(.message, as: String.self) ?? ""
        addr = try fields(.addr, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(state, .state)
        try fields.omitEmpty(message, .message)
        try fields.omitEmpty(addr, .addr)
        try fields.extra(extra)
    }
}
