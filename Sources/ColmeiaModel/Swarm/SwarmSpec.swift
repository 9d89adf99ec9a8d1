/// The user-settable configuration of the cluster (`docker swarm update`).
public struct SwarmSpec: Sendable, Hashable, PreservesUnknownFields {
    /// Always `default`.
    public var name: String
    public var labels: [String: String]
    public var orchestration: SwarmSpec.Orchestration
    public var raft: SwarmSpec.Raft
    public var dispatcher: SwarmSpec.Dispatcher
    public var caConfig: SwarmSpec.CAConfig
    public var taskDefaults: SwarmSpec.TaskDefaults
    public var encryptionConfig: SwarmSpec.EncryptionConfig
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        labels: [String: String] = [:],
        orchestration: SwarmSpec.Orchestration = SwarmSpec.Orchestration(),
        raft: SwarmSpec.Raft = SwarmSpec.Raft(),
        dispatcher: SwarmSpec.Dispatcher = SwarmSpec.Dispatcher(),
        caConfig: SwarmSpec.CAConfig = SwarmSpec.CAConfig(),
        taskDefaults: SwarmSpec.TaskDefaults = SwarmSpec.TaskDefaults(),
        encryptionConfig: SwarmSpec.EncryptionConfig = SwarmSpec.EncryptionConfig(),
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.labels = labels
        self.orchestration = orchestration
        self.raft = raft
        self.dispatcher = dispatcher
        self.caConfig = caConfig
        self.taskDefaults = taskDefaults
        self.encryptionConfig = encryptionConfig
        self.extra = extra
    }
}

extension SwarmSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case labels = "Labels"
        case orchestration = "Orchestration"
        case raft = "Raft"
        case dispatcher = "Dispatcher"
        case caConfig = "CAConfig"
        case taskDefaults = "TaskDefaults"
        case encryptionConfig = "EncryptionConfig"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        orchestration = try fields(.orchestration, as: SwarmSpec.Orchestration.self) ?? SwarmSpec.Orchestration()
        raft = try fields(.raft, as: SwarmSpec.Raft.self) ?? SwarmSpec.Raft()
        dispatcher = try fields(.dispatcher, as: SwarmSpec.Dispatcher.self) ?? SwarmSpec.Dispatcher()
        caConfig = try fields(.caConfig, as: SwarmSpec.CAConfig.self) ?? SwarmSpec.CAConfig()
        taskDefaults = try fields(.taskDefaults, as: SwarmSpec.TaskDefaults.self) ?? SwarmSpec.TaskDefaults()
        encryptionConfig = try fields(.encryptionConfig, as: SwarmSpec.EncryptionConfig.self) ?? SwarmSpec.EncryptionConfig()
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(name, .name)
        try fields(labels, .labels)
        try fields(orchestration, .orchestration)
        try fields(raft, .raft)
        try fields(dispatcher, .dispatcher)
        try fields(caConfig, .caConfig)
        try fields(taskDefaults, .taskDefaults)
        try fields(encryptionConfig, .encryptionConfig)
        try fields.extra(extra)
    }
}
