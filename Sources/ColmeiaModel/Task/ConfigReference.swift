/// A config given to a container, as a file or as a runtime target (credential spec).
public struct ConfigReference: Sendable, Hashable, PreservesUnknownFields {
    public var file: ReferenceFileTarget?
    public var runtime: ConfigReference.RuntimeTarget?
    public var configID: String
    public var configName: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        file: ReferenceFileTarget? = nil,
        runtime: ConfigReference.RuntimeTarget? = nil,
        configID: String = "",
        configName: String = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.file = file
        self.runtime = runtime
        self.configID = configID
        self.configName = configName
        self.extra = extra
    }
}

extension ConfigReference: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case file = "File"
        case runtime = "Runtime"
        case configID = "ConfigID"
        case configName = "ConfigName"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        file = try fields(.file, as: ReferenceFileTarget.self)
        runtime = try fields(.runtime, as: ConfigReference.RuntimeTarget.self)
        configID = try fields(.configID, as: String.self) ?? ""
        configName = try fields(.configName, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(file, .file)
        try fields.ifPresent(runtime, .runtime)
        try fields(configID, .configID)
        try fields(configName, .configName)
        try fields.extra(extra)
    }
}
