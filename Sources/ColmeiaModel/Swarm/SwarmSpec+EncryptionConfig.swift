extension SwarmSpec {
    /// Encryption at rest.
    public struct EncryptionConfig: Sendable, Hashable, PreservesUnknownFields {
        /// Whether managers need the unlock key after a restart.
        public var autoLockManagers: Bool
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(autoLockManagers: Bool = false, extra: [String: JSONValue] = [:]) {
            self.autoLockManagers = autoLockManagers
            self.extra = extra
        }
    }
}

extension SwarmSpec.EncryptionConfig: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case autoLockManagers = "AutoLockManagers"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        autoLockManagers = try fields(.autoLockManagers, as: Bool.self) ?? false
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(autoLockManagers, .autoLockManagers)
        try fields.extra(extra)
    }
}
