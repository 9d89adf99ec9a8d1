extension SwarmSpec {
    /// Orchestrator settings.
    public struct Orchestration: Sendable, Hashable, PreservesUnknownFields {
        /// Old tasks kept per slot (5 by default).
        public var taskHistoryRetentionLimit: Int64?
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(taskHistoryRetentionLimit: Int64? = nil, extra: [String: JSONValue] = [:]) {
            self.taskHistoryRetentionLimit = taskHistoryRetentionLimit
            self.extra = extra
        }
    }
}

extension SwarmSpec.Orchestration: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case taskHistoryRetentionLimit = "TaskHistoryRetentionLimit"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        taskHistoryRetentionLimit = try fields(.taskHistoryRetentionLimit, as: Int64.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(taskHistoryRetentionLimit, .taskHistoryRetentionLimit)
        try fields.extra(extra)
    }
}
