extension SwarmSpec {
    /// Dispatcher settings.
    public struct Dispatcher: Sendable, Hashable, PreservesUnknownFields {
        /// Agent heartbeat period in nanoseconds.
        public var heartbeatPeriod: Int64
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(heartbeatPeriod: Int64 = 0, extra: [String: JSONValue] = [:]) {
            self.heartbeatPeriod = heartbeatPeriod
            self.extra = extra
        }
    }
}

extension SwarmSpec.Dispatcher: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case heartbeatPeriod = "HeartbeatPeriod"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        heartbeatPeriod = try fields(.heartbeatPeriod, as: Int64.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(heartbeatPeriod, .heartbeatPeriod)
        try fields.extra(extra)
    }
}
