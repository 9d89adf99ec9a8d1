/// What every task of a service runs and how it is placed and restarted.
public struct TaskSpec: Sendable, Hashable, PreservesUnknownFields {
    public var containerSpec: ContainerSpec?
    public var resources: ResourceRequirements?
    public var restartPolicy: RestartPolicy?
    public var placement: Placement?
    public var networks: [NetworkAttachmentConfig]
    public var logDriver: Driver?
    /// Incremented to force an update with an unchanged spec.
    public var forceUpdate: UInt64
    public var runtime: RuntimeType
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        containerSpec: ContainerSpec? = nil,
        resources: ResourceRequirements? = nil,
        restartPolicy: RestartPolicy? = nil,
        placement: Placement? = nil,
        networks: [NetworkAttachmentConfig] = [],
        logDriver: Driver? = nil,
        forceUpdate: UInt64 = 0,
        runtime: RuntimeType = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.containerSpec = containerSpec
        self.resources = resources
        self.restartPolicy = restartPolicy
        self.placement = placement
        self.networks = networks
        self.logDriver = logDriver
        self.forceUpdate = forceUpdate
        self.runtime = runtime
        self.extra = extra
    }
}

extension TaskSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case containerSpec = "ContainerSpec"
        case resources = "Resources"
        case restartPolicy = "RestartPolicy"
        case placement = "Placement"
        case networks = "Networks"
        case logDriver = "LogDriver"
        case forceUpdate = "ForceUpdate"
        case runtime = "Runtime"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        containerSpec = try fields(.containerSpec, as: ContainerSpec.self)
        resources = try fields(.resources, as: ResourceRequirements.self)
        restartPolicy = try fields(.restartPolicy, as: RestartPolicy.self)
        placement = try fields(.placement, as: Placement.self)
        networks = try fields(.networks, as: [NetworkAttachmentConfig].self) ?? []
        logDriver = try fields(.logDriver, as: Driver.self)
        forceUpdate = try fields(.forceUpdate, as: UInt64.self) ?? 0
        runtime = try fields(.runtime, as: RuntimeType.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(containerSpec, .containerSpec)
        try fields.ifPresent(resources, .resources)
        try fields.ifPresent(restartPolicy, .restartPolicy)
        try fields.ifPresent(placement, .placement)
        try fields.omitEmpty(networks, .networks)
        try fields.ifPresent(logDriver, .logDriver)
        try fields(forceUpdate, .forceUpdate)
        try fields.omitEmpty(runtime, .runtime)
        try fields.extra(extra)
    }
}
