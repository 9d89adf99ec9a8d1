/// CPU and memory, as a node's capacity or a task's reservation.
public struct Resources: Sendable, Hashable, PreservesUnknownFields {
    /// CPU in units of 10⁻⁹ CPUs.
    public var nanoCPUs: Int64
    public var memoryBytes: Int64
    public var genericResources: [GenericResource]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        nanoCPUs: Int64 = 0,
        memoryBytes: Int64 = 0,
        genericResources: [GenericResource] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.nanoCPUs = nanoCPUs
        self.memoryBytes = memoryBytes
        self.genericResources = genericResources
        self.extra = extra
    }
}

extension Resources: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case nanoCPUs = "NanoCPUs"
        case memoryBytes = "MemoryBytes"
        case genericResources = "GenericResources"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        nanoCPUs = try fields(.nanoCPUs, as: Int64.self) ?? 0
        memoryBytes = try fields(.memoryBytes, as: Int64.self) ?? 0
        genericResources = try fields(.genericResources, as: [GenericResource].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(nanoCPUs, .nanoCPUs)
        try fields.omitEmpty(memoryBytes, .memoryBytes)
        try fields.omitEmpty(genericResources, .genericResources)
        try fields.extra(extra)
    }
}
