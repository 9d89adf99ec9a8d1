extension ServiceMode {
    /// A fixed number of tasks.
    public struct Replicated: Sendable, Hashable, PreservesUnknownFields {
        /// Signed so that a negative value reaches validation (Docker's `uint64`).
        public var replicas: Int64?
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(replicas: Int64? = nil, extra: [String: JSONValue] = [:]) {
            self.replicas = replicas
            self.extra = extra
        }
    }
}

extension ServiceMode.Replicated: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case replicas = "Replicas"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        replicas = try fields(.replicas, as: Int64.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(replicas, .replicas)
        try fields.extra(extra)
    }
}
