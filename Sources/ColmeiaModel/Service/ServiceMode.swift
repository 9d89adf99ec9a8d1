/// How many tasks a service runs. Exactly one member should be set; none means
/// replicated with one replica.
public struct ServiceMode: Sendable, Hashable, PreservesUnknownFields {
    public var replicated: ServiceMode.Replicated?
    public var global: ServiceMode.Global?
    public var replicatedJob: ServiceMode.ReplicatedJob?
    public var globalJob: ServiceMode.GlobalJob?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        replicated: ServiceMode.Replicated? = nil,
        global: ServiceMode.Global? = nil,
        replicatedJob: ServiceMode.ReplicatedJob? = nil,
        globalJob: ServiceMode.GlobalJob? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.replicated = replicated
        self.global = global
        self.replicatedJob = replicatedJob
        self.globalJob = globalJob
        self.extra = extra
    }
}

extension ServiceMode: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case replicated = "Replicated"
        case global = "Global"
        case replicatedJob = "ReplicatedJob"
        case globalJob = "GlobalJob"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        replicated = try fields(.replicated, as: ServiceMode.Replicated.self)
        global = try fields(.global, as: ServiceMode.Global.self)
        replicatedJob = try fields(.replicatedJob, as: ServiceMode.ReplicatedJob.self)
        globalJob = try fields(.globalJob, as: ServiceMode.GlobalJob.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(replicated, .replicated)
        try fields.ifPresent(global, .global)
        try fields.ifPresent(replicatedJob, .replicatedJob)
        try fields.ifPresent(globalJob, .globalJob)
        try fields.extra(extra)
    }
}
