/// Progress of a service's rolling update or rollback.
public struct UpdateStatus: Sendable, Hashable, PreservesUnknownFields {
    public var state: UpdateState
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?
    public var message: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        state: UpdateState = "",
        startedAt: Timestamp? = nil,
        completedAt: Timestamp? = nil,
        message: String = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.state = state
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.message = message
        self.extra = extra
    }
}

extension UpdateStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case state = "State"
        case startedAt = "StartedAt"
        case completedAt = "CompletedAt"
        case message = "Message"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        state = try fields(.state, as: UpdateState.self) ?? ""
        startedAt = try fields(.startedAt, as: Timestamp.self)
        completedAt = try fields(.completedAt, as: Timestamp.self)
        message = try fields(.message, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(state, .state)
        try fields.ifPresent(startedAt, .startedAt)
        try fields.ifPresent(completedAt, .completedAt)
        try fields.omitEmpty(message, .message)
        try fields.extra(extra)
    }
}
