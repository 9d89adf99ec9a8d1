extension SwarmSpec {
    /// Defaults applied to every task.
    public struct TaskDefaults: Sendable, Hashable, PreservesUnknownFields {
        public var logDriver: Driver?
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(logDriver: Driver? = nil, extra: [String: JSONValue] = [:]) {
            self.logDriver = logDriver
            self.extra = extra
        }
    }
}

extension SwarmSpec.TaskDefaults: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case logDriver = "LogDriver"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        logDriver = try fields(.logDriver, as: Driver.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(logDriver, .logDriver)
        try fields.extra(extra)
    }
}
