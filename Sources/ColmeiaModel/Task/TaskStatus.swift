/// A task's observed state, reported by the agent.
public struct TaskStatus: Sendable, Hashable, PreservesUnknownFields {
    public var timestamp: Timestamp
    public var state: TaskState
    public var message: String
    public var err: String
    public var containerStatus: ContainerStatus?
    public var portStatus: PortStatus
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        timestamp: Timestamp = .zero,
        state: TaskState = .new,
        message: String = "",
        err: String = "",
        containerStatus: ContainerStatus? = nil,
        portStatus: PortStatus = PortStatus(),
        extra: [String: JSONValue] = [:]
    ) {
        self.timestamp = timestamp
        self.state = state
        self.message = message
        self.err = err
        self.containerStatus = containerStatus
        self.portStatus = portStatus
        self.extra = extra
    }
}

extension TaskStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case timestamp = "Timestamp"
        case state = "State"
        case message = "Message"
        case err = "Err"
        case containerStatus = "ContainerStatus"
        case portStatus = "PortStatus"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        timestamp = try fields(.timestamp, as: Timestamp.self) ?? .zero
        state = try fields(.state, as: TaskState.self) ?? .new
        message = try fields(.message, as: String.self) ?? ""
        err = try fields(.err, as: String.self) ?? ""
        containerStatus = try fields(.containerStatus, as: ContainerStatus.self)
        portStatus = try fields(.portStatus, as: PortStatus.self) ?? PortStatus()
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(timestamp, .timestamp)
        try fields(state, .state)
        try fields.omitEmpty(message, .message)
        try fields.omitEmpty(err, .err)
        try fields.ifPresent(containerStatus, .containerStatus)
        try fields(portStatus, .portStatus)
        try fields.extra(extra)
    }
}
