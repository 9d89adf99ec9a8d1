/// The container engine of a node.
public struct EngineDescription: Sendable, Hashable, PreservesUnknownFields {
    public var engineVersion: String
    public var labels: [String: String]
    public var plugins: [PluginDescription]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        engineVersion: String = "",
        labels: [String: String] = [:],
        plugins: [PluginDescription] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.engineVersion = engineVersion
        self.labels = labels
        self.plugins = plugins
        self.extra = extra
    }
}

extension EngineDescription: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case engineVersion = "EngineVersion"
        case labels = "Labels"
        case plugins = "Plugins"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        engineVersion = try fields(.engineVersion, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        plugins = try fields(.plugins, as: [PluginDescription].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(engineVersion, .engineVersion)
        try fields.omitEmpty(labels, .labels)
        try fields.omitEmpty(plugins, .plugins)
        try fields.extra(extra)
    }
}
