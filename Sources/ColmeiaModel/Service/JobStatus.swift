/// Progress of a job-mode service.
public struct JobStatus: Sendable, Hashable, PreservesUnknownFields {
    public var jobIteration: Version
    public var lastExecution: Timestamp
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        jobIteration: Version = Version(),
        lastExecution: Timestamp = .zero,
        extra: [String: JSONValue] = [:]
    ) {
        self.jobIteration = jobIteration
        self.lastExecution = lastExecution
        self.extra = extra
    }
}

extension JobStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case jobIteration = "JobIteration"
        case lastExecution = "LastExecution"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        jobIteration = try fields(.jobIteration, as: Version.self) ?? Version()
        lastExecution = try fields(.lastExecution, as: Timestamp.self) ?? .zero
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(jobIteration, .jobIteration)
        try fields(lastExecution, .lastExecution)
        try fields.extra(extra)
    }
}
