/// A user-defined resource such as GPUs: named (`gpu=UUID1`) or discrete (`ssd=3`).
public struct GenericResource: Sendable, Hashable, PreservesUnknownFields {
    public var namedResourceSpec: GenericResource.Named?
    public var discreteResourceSpec: GenericResource.Discrete?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        namedResourceSpec: GenericResource.Named? = nil,
        discreteResourceSpec: GenericResource.Discrete? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.namedResourceSpec = namedResourceSpec
        self.discreteResourceSpec = discreteResourceSpec
        self.extra = extra
    }
}

extension GenericResource: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case namedResourceSpec = "NamedResourceSpec"
        case discreteResourceSpec = "DiscreteResourceSpec"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        namedResourceSpec = try fields(.namedResourceSpec, as: GenericResource.Named.self)
        discreteResourceSpec = try fields(.discreteResourceSpec, as: GenericResource.Discrete.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(namedResourceSpec, .namedResourceSpec)
        try fields.ifPresent(discreteResourceSpec, .discreteResourceSpec)
        try fields.extra(extra)
    }
}
