/// When and how often a task is restarted. Durations are nanoseconds.
public struct RestartPolicy: Sendable, Hashable, PreservesUnknownFields {
    public var condition: RestartCondition
    /// Wait between restarts (5 s by default).
    public var delay: Int64?
    /// Restarts before giving up (0: unlimited). Signed so a negative value reaches validation.
    public var maxAttempts: Int64?
    /// The window in which restarts are counted.
    public var window: Int64?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        condition: RestartCondition = "",
        delay: Int64? = nil,
        maxAttempts: Int64? = nil,
        window: Int64? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.condition = condition
        self.delay = delay
        self.maxAttempts = maxAttempts
        self.window = window
        self.extra = extra
    }
}

extension RestartPolicy: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case condition = "Condition"
        case delay = "Delay"
        case maxAttempts = "MaxAttempts"
        case window = "Window"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        condition = try fields(.condition, as: RestartCondition.self) ?? ""
        delay = try fields(.delay, as: Int64.self)
        maxAttempts = try fields(.maxAttempts, as: Int64.self)
        window = try fields(.window, as: Int64.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(condition, .condition)
        try fields.ifPresent(delay, .delay)
        try fields.ifPresent(maxAttempts, .maxAttempts)
        try fields.ifPresent(window, .window)
        try fields.extra(extra)
    }
}
