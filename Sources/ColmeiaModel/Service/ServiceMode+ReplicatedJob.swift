extension ServiceMode {
    /// Tasks that run to completion, a fixed number in total.
    public struct ReplicatedJob: Sendable, Hashable, PreservesUnknownFields {
        public var maxConcurrent: Int64?
        public var totalCompletions: Int64?
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            maxConcurrent: Int64? = nil,
            totalCompletions: Int64? = nil,
            extra: [String: JSONValue] = [:]
        ) {
            self.maxConcurrent = maxConcurrent
            self.totalCompletions = totalCompletions
            self.extra = extra
        }
    }
}

extension ServiceMode.ReplicatedJob: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxConcurrent = "MaxConcurrent"
        case totalCompletions = "TotalCompletions"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        maxConcurrent = try fields(.maxConcurrent, as: Int64.self)
        totalCompletions = try fields(.totalCompletions, as: Int64.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(maxConcurrent, .maxConcurrent)
        try fields.ifPresent(totalCompletions, .totalCompletions)
        try fields.extra(extra)
    }
}
