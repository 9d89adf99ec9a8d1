/// Upper bounds of a task's resources.
public struct Limit: Sendable, Hashable, PreservesUnknownFields {
    public var nanoCPUs: Int64
    public var memoryBytes: Int64
    public var pids: Int64
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        nanoCPUs: Int64 = 0,
        memoryBytes: Int64 = 0,
        pids: Int64 = 0,
        extra: [String: JSONValue] = [:]
    ) {
        self.nanoCPUs = nanoCPUs
        self.memoryBytes = memoryBytes
        self.pids = pids
        self.extra = extra
    }
}

extension Limit: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case nanoCPUs = "NanoCPUs"
        case memoryBytes = "MemoryBytes"
        case pids = "Pids"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        nanoCPUs = try fields(.nanoCPUs, as: Int64.self) ?? 0
        memoryBytes = try fields(.memoryBytes, as: Int64.self) ?? 0
        pids = try fields(.pids, as: Int64.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(nanoCPUs, .nanoCPUs)
        try fields.omitEmpty(memoryBytes, .memoryBytes)
        try fields.omitEmpty(pids, .pids)
        try fields.extra(extra)
    }
}
