extension Mount {
    /// Options of a tmpfs mount.
    public struct TmpfsOptions: Sendable, Hashable, PreservesUnknownFields {
        public var sizeBytes: Int64
        public var mode: UInt32
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(sizeBytes: Int64 = 0, mode: UInt32 = 0, extra: [String: JSONValue] = [:]) {
            self.sizeBytes = sizeBytes
            self.mode = mode
            self.extra = extra
        }
    }
}

extension Mount.TmpfsOptions: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case sizeBytes = "SizeBytes"
        case mode = "Mode"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        sizeBytes = try fields(.sizeBytes, as: Int64.self) ?? 0
        mode = try fields(.mode, as: UInt32.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(sizeBytes, .sizeBytes)
        try fields.omitEmpty(mode, .mode)
        try fields.extra(extra)
    }
}
