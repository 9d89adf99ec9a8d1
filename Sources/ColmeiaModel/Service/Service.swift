/// A service (`GET /services/{id}`): desired state plus what the managers derived from it.
public struct Service: Sendable, Hashable, PreservesUnknownFields {
    public var id: String
    /// The Raft index of the command that last changed this object.
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: ServiceSpec
    /// The spec before the last update; the target of a rollback.
    public var previousSpec: ServiceSpec?
    public var endpoint: Endpoint
    public var updateStatus: UpdateStatus?
    /// Task counts, returned when `?status=true`.
    public var serviceStatus: ServiceStatus?
    public var jobStatus: JobStatus?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        id: String = "",
        version: Version = Version(),
        createdAt: Timestamp = .zero,
        updatedAt: Timestamp = .zero,
        spec: ServiceSpec = ServiceSpec(),
        previousSpec: ServiceSpec? = nil,
        endpoint: Endpoint = Endpoint(),
        updateStatus: UpdateStatus? = nil,
        serviceStatus: ServiceStatus? = nil,
        jobStatus: JobStatus? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.spec = spec
        self.previousSpec = previousSpec
        self.endpoint = endpoint
        self.updateStatus = updateStatus
        self.serviceStatus = serviceStatus
        self.jobStatus = jobStatus
        self.extra = extra
    }
}

extension Service: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case spec = "Spec"
        case previousSpec = "PreviousSpec"
        case endpoint = "Endpoint"
        case updateStatus = "UpdateStatus"
        case serviceStatus = "ServiceStatus"
        case jobStatus = "JobStatus"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        id = try fields(.id, as: String.self) ?? ""
        version = try fields(.version, as: Version.self) ?? Version()
        createdAt = try fields(.createdAt, as: Timestamp.self) ?? .zero
        updatedAt = try fields(.updatedAt, as: Timestamp.self) ?? .zero
        spec = try fields(.spec, as: ServiceSpec.self) ?? ServiceSpec()
        previousSpec = try fields(.previousSpec, as: ServiceSpec.self)
        endpoint = try fields(.endpoint, as: Endpoint.self) ?? Endpoint()
        updateStatus = try fields(.updateStatus, as: UpdateStatus.self)
        serviceStatus = try fields(.serviceStatus, as: ServiceStatus.self)
        jobStatus = try fields(.jobStatus, as: JobStatus.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(id, .id)
        try fields(version, .version)
        try fields(createdAt, .createdAt)
        try fields(updatedAt, .updatedAt)
        try fields(spec, .spec)
        try fields.ifPresent(previousSpec, .previousSpec)
        try fields(endpoint, .endpoint)
        try fields.ifPresent(updateStatus, .updateStatus)
        try fields.ifPresent(serviceStatus, .serviceStatus)
        try fields.ifPresent(jobStatus, .jobStatus)
        try fields.extra(extra)
    }
}
