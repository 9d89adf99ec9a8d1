/// What a client asks for when it creates or updates a service.
public struct ServiceSpec: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var labels: [String: String]
    public var taskTemplate: TaskSpec
    public var mode: ServiceMode
    public var updateConfig: UpdateConfig?
    public var rollbackConfig: UpdateConfig?
    /// Deprecated: networks belong in `TaskTemplate.Networks`.
    public var networks: [NetworkAttachmentConfig]
    public var endpointSpec: EndpointSpec?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        labels: [String: String] = [:],
        taskTemplate: TaskSpec = TaskSpec(),
        mode: ServiceMode = ServiceMode(),
        updateConfig: UpdateConfig? = nil,
        rollbackConfig: UpdateConfig? = nil,
        networks: [NetworkAttachmentConfig] = [],
        endpointSpec: EndpointSpec? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.labels = labels
        self.taskTemplate = taskTemplate
        self.mode = mode
        self.updateConfig = updateConfig
        self.rollbackConfig = rollbackConfig
        self.networks = networks
        self.endpointSpec = endpointSpec
        self.extra = extra
    }
}

extension ServiceSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case labels = "Labels"
        case taskTemplate = "TaskTemplate"
        case mode = "Mode"
        case updateConfig = "UpdateConfig"
        case rollbackConfig = "RollbackConfig"
        case networks = "Networks"
        case endpointSpec = "EndpointSpec"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        taskTemplate = try fields(.taskTemplate, as: TaskSpec.self) ?? TaskSpec()
        mode = try fields(.mode, as: ServiceMode.self) ?? ServiceMode()
        updateConfig = try fields(.updateConfig, as: UpdateConfig.self)
        rollbackConfig = try fields(.rollbackConfig, as: UpdateConfig.self)
        networks = try fields(.networks, as: [NetworkAttachmentConfig].self) ?? []
        endpointSpec = try fields(.endpointSpec, as: EndpointSpec.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(name, .name)
        try fields(labels, .labels)
        try fields(taskTemplate, .taskTemplate)
        try fields(mode, .mode)
        try fields.ifPresent(updateConfig, .updateConfig)
        try fields.ifPresent(rollbackConfig, .rollbackConfig)
        try fields.omitEmpty(networks, .networks)
        try fields.ifPresent(endpointSpec, .endpointSpec)
        try fields.extra(extra)
    }
}
