extension Mount {
    /// Options of a bind mount.
    public struct BindOptions: Sendable, Hashable, PreservesUnknownFields {
        public var propagation: String
        public var nonRecursive: Bool
        public var createMountpoint: Bool
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            propagation: String = "",
            nonRecursive: Bool = false,
            createMountpoint: Bool = false,
            extra: [String: JSONValue] = [:]
        ) {
            self.propagation = propagation
            self.nonRecursive = nonRecursive
            self.createMountpoint = createMountpoint
            self.extra = extra
        }
    }
}

extension Mount.BindOptions: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case propagation = "Propagation"
        case nonRecursive = "NonRecursive"
        case createMountpoint = "CreateMountpoint"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        propagation = try fields(.propagation, as: String.self) ?? ""
        nonRecursive = try fields(.nonRecursive, as: Bool.self) ?? false
        createMountpoint = try fields(.createMountpoint, as: Bool.self) ?? false
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(propagation, .propagation)
        try fields.omitEmpty(nonRecursive, .nonRecursive)
        try fields.omitEmpty(createMountpoint, .createMountpoint)
        try fields.extra(extra)
    }
}
