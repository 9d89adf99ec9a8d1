/// A volume, bind or tmpfs mount of a container.
public struct Mount: Sendable, Hashable, PreservesUnknownFields {
    public var type: MountType
    public var source: String
    public var target: String
    public var readOnly: Bool
    public var consistency: String
    public var bindOptions: Mount.BindOptions?
    public var volumeOptions: Mount.VolumeOptions?
    public var tmpfsOptions: Mount.TmpfsOptions?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        type: MountType = "",
        source: String = "",
        target: String = "",
        readOnly: Bool = false,
        consistency: String = "",
        bindOptions: Mount.BindOptions? = nil,
        volumeOptions: Mount.VolumeOptions? = nil,
        tmpfsOptions: Mount.TmpfsOptions? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.consistency = consistency
        self.bindOptions = bindOptions
        self.volumeOptions = volumeOptions
        self.tmpfsOptions = tmpfsOptions
        self.extra = extra
    }
}

extension Mount: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case type = "Type"
        case source = "Source"
        case target = "Target"
        case readOnly = "ReadOnly"
        case consistency = "Consistency"
        case bindOptions = "BindOptions"
        case volumeOptions = "VolumeOptions"
        case tmpfsOptions = "TmpfsOptions"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        type = try fields(.type, as: MountType.self) ?? ""
        source = try fields(.source, as: String.self) ?? ""
        target = try fields(.target, as: String.self) ?? ""
        readOnly = try fields(.readOnly, as: Bool.self) ?? false
        consistency = try fields(.consistency, as: String.self) ?? ""
        bindOptions = try fields(.bindOptions, as: Mount.BindOptions.self)
        volumeOptions = try fields(.volumeOptions, as: Mount.VolumeOptions.self)
        tmpfsOptions = try fields(.tmpfsOptions, as: Mount.TmpfsOptions.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(type, .type)
        try fields.omitEmpty(source, .source)
        try fields.omitEmpty(target, .target)
        try fields.omitEmpty(readOnly, .readOnly)
        try fields.omitEmpty(consistency, .consistency)
        try fields.ifPresent(bindOptions, .bindOptions)
        try fields.ifPresent(volumeOptions, .volumeOptions)
        try fields.ifPresent(tmpfsOptions, .tmpfsOptions)
        try fields.extra(extra)
    }
}
