/// A task's resource limits and reservations.
public struct ResourceRequirements: Sendable, Hashable, PreservesUnknownFields {
    public var limits: Limit?
    public var reservations: Resources?
    public var swapBytes: Int64?
    public var memorySwappiness: Int64?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        limits: Limit? = nil,
        reservations: Resources? = nil,
        swapBytes: Int64? = nil,
        memorySwappiness: Int64? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.limits = limits
        self.reservations = reservations
        self.swapBytes = swapBytes
        self.memorySwappiness = memorySwappiness
        self.extra = extra
    }
}

extension ResourceRequirements: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case limits = "Limits"
        case reservations = "Reservations"
        case swapBytes = "SwapBytes"
        case memorySwappiness = "MemorySwappiness"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        limits = try fields(.limits, as: Limit.self)
        reservations = try fields(.reservations, as: Resources.self)
        swapBytes = try fields(.swapBytes, as: Int64.self)
        memorySwappiness = try fields(.memorySwappiness, as: Int64.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(limits, .limits)
        try fields.ifPresent(reservations, .reservations)
        try fields.ifPresent(swapBytes, .swapBytes)
        try fields.ifPresent(memorySwappiness, .memorySwappiness)
        try fields.extra(extra)
    }
}
