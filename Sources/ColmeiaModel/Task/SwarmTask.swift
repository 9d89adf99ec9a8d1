/// A task (`GET /tasks/{id}`): one slot of a service on one node.
///
/// Named `SwarmTask` so that modules importing ColmeiaModel keep Swift's `Task`.
public struct SwarmTask: Sendable, Hashable, PreservesUnknownFields {
    public var id: String
    /// The Raft index of the command that last changed this object.
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var name: String
    public var labels: [String: String]
    public var spec: TaskSpec
    public var serviceID: String
    /// The replica number (replicated services); 0 for global ones.
    public var slot: Int
    public var nodeID: String
    public var status: TaskStatus
    public var desiredState: TaskState
    public var networksAttachments: [NetworkAttachment]
    public var genericResources: [GenericResource]
    public var jobIteration: Version?
    /// How many tasks of this spec ended in this place before this one and were restarted
    /// (Colmeia's; not in Docker's API): the restart policy's `MaxAttempts` counts it, so
    /// the count survives the task history the reaper trims.
    public var restartAttempts: UInt64
    /// When the task's status first became `running` (Colmeia's; not in Docker's API), set
    /// as the report lands: an update's `Monitor` period counts from it.
    public var startedRunningAt: Timestamp?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        id: String = "",
        version: Version = Version(),
        createdAt: Timestamp = .zero,
        updatedAt: Timestamp = .zero,
        name: String = "",
        labels: [String: String] = [:],
        spec: TaskSpec = TaskSpec(),
        serviceID: String = "",
        slot: Int = 0,
        nodeID: String = "",
        status: TaskStatus = TaskStatus(),
        desiredState: TaskState = .new,
        networksAttachments: [NetworkAttachment] = [],
        genericResources: [GenericResource] = [],
        jobIteration: Version? = nil,
        restartAttempts: UInt64 = 0,
        startedRunningAt: Timestamp? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.name = name
        self.labels = labels
        self.spec = spec
        self.serviceID = serviceID
        self.slot = slot
        self.nodeID = nodeID
        self.status = status
        self.desiredState = desiredState
        self.networksAttachments = networksAttachments
        self.genericResources = genericResources
        self.jobIteration = jobIteration
        self.restartAttempts = restartAttempts
        self.startedRunningAt = startedRunningAt
        self.extra = extra
    }
}

extension SwarmTask: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case name = "Name"
        case labels = "Labels"
        case spec = "Spec"
        case serviceID = "ServiceID"
        case slot = "Slot"
        case nodeID = "NodeID"
        case status = "Status"
        case desiredState = "DesiredState"
        case networksAttachments = "NetworksAttachments"
        case genericResources = "GenericResources"
        case jobIteration = "JobIteration"
        case restartAttempts = "RestartAttempts"
        case startedRunningAt = "StartedRunningAt"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        id = try fields(.id, as: String.self) ?? ""
        version = try fields(.version, as: Version.self) ?? Version()
        createdAt = try fields(.createdAt, as: Timestamp.self) ?? .zero
        updatedAt = try fields(.updatedAt, as: Timestamp.self) ?? .zero
        name = try fields(.name, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        spec = try fields(.spec, as: TaskSpec.self) ?? TaskSpec()
        serviceID = try fields(.serviceID, as: String.self) ?? ""
        slot = try fields(.slot, as: Int.self) ?? 0
        nodeID = try fields(.nodeID, as: String.self) ?? ""
        status = try fields(.status, as: TaskStatus.self) ?? TaskStatus()
        desiredState = try fields(.desiredState, as: TaskState.self) ?? .new
        networksAttachments = try fields(.networksAttachments, as: [NetworkAttachment].self) ?? []
        genericResources = try fields(.genericResources, as: [GenericResource].self) ?? []
        jobIteration = try fields(.jobIteration, as: Version.self)
        restartAttempts = try fields(.restartAttempts, as: UInt64.self) ?? 0
        startedRunningAt = try fields(.startedRunningAt, as: Timestamp.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(id, .id)
        try fields(version, .version)
        try fields(createdAt, .createdAt)
        try fields(updatedAt, .updatedAt)
        try fields.omitEmpty(name, .name)
        try fields(labels, .labels)
        try fields(spec, .spec)
        try fields.omitEmpty(serviceID, .serviceID)
        try fields.omitEmpty(slot, .slot)
        try fields.omitEmpty(nodeID, .nodeID)
        try fields(status, .status)
        try fields(desiredState, .desiredState)
        try fields.omitEmpty(networksAttachments, .networksAttachments)
        try fields.omitEmpty(genericResources, .genericResources)
        try fields.ifPresent(jobIteration, .jobIteration)
        try fields.omitEmpty(restartAttempts, .restartAttempts)
        try fields.ifPresent(startedRunningAt, .startedRunningAt)
        try fields.extra(extra)
    }
}
