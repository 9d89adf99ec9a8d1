extension Mount {
    /// Options of a volume mount.
    public struct VolumeOptions: Sendable, Hashable, PreservesUnknownFields {
        public var noCopy: Bool
        public var labels: [String: String]
        public var subpath: String
        public var driverConfig: Driver?
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            noCopy: Bool = false,
            labels: [String: String] = [:],
            subpath: String = "",
            driverConfig: Driver? = nil,
            extra: [String: JSONValue] = [:]
        ) {
            self.noCopy = noCopy
            self.labels = labels
            self.subpath = subpath
            self.driverConfig = driverConfig
            self.extra = extra
        }
    }
}

extension Mount.VolumeOptions: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case noCopy = "NoCopy"
        case labels = "Labels"
        case subpath = "Subpath"
        case driverConfig = "DriverConfig"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        noCopy = try fields(.noCopy, as: Bool.self) ?? false
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        subpath = try fields(.subpath, as: String.self) ?? ""
        driverConfig = try fields(.driverConfig, as: Driver.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(noCopy, .noCopy)
        try fields.omitEmpty(labels, .labels)
        try fields.omitEmpty(subpath, .subpath)
        try fields.ifPresent(driverConfig, .driverConfig)
        try fields.extra(extra)
    }
}
