extension SwarmSpec {
    /// Certificate authority settings.
    public struct CAConfig: Sendable, Hashable, PreservesUnknownFields {
        /// Validity of node certificates in nanoseconds.
        public var nodeCertExpiry: Int64
        public var externalCAs: [SwarmSpec.ExternalCA]
        public var signingCACert: String
        public var signingCAKey: String
        /// Incremented to force a root rotation.
        public var forceRotate: UInt64
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            nodeCertExpiry: Int64 = 0,
            externalCAs: [SwarmSpec.ExternalCA] = [],
            signingCACert: String = "",
            signingCAKey: String = "",
            forceRotate: UInt64 = 0,
            extra: [String: JSONValue] = [:]
        ) {
            self.nodeCertExpiry = nodeCertExpiry
            self.externalCAs = externalCAs
            self.signingCACert = signingCACert
            self.signingCAKey = signingCAKey
            self.forceRotate = forceRotate
            self.extra = extra
        }
    }
}

extension SwarmSpec.CAConfig: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case nodeCertExpiry = "NodeCertExpiry"
        case externalCAs = "ExternalCAs"
        case signingCACert = "SigningCACert"
        case signingCAKey = "SigningCAKey"
        case forceRotate = "ForceRotate"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        nodeCertExpiry = try fields(.nodeCertExpiry, as: Int64.self) ?? 0
        externalCAs = try fields(.externalCAs, as: [SwarmSpec.ExternalCA].self) ?? []
        signingCACert = try fields(.signingCACert, as: String.self) ?? ""
        signingCAKey = try fields(.signingCAKey, as: String.self) ?? ""
        forceRotate = try fields(.forceRotate, as: UInt64.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(nodeCertExpiry, .nodeCertExpiry)
        try fields.omitEmpty(externalCAs, .externalCAs)
        try fields.omitEmpty(signingCACert, .signingCACert)
        try fields.omitEmpty(signingCAKey, .signingCAKey)
        try fields.omitEmpty(forceRotate, .forceRotate)
        try fields.extra(extra)
    }
}
