/// Task counts of a service.
public struct ServiceStatus: Sendable, Hashable, PreservesUnknownFields {
    public var runningTasks: UInt64
    public var desiredTasks: UInt64
    public var completedTasks: UInt64
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        runningTasks: UInt64 = 0,
        desiredTasks: UInt64 = 0,
        completedTasks: UInt64 = 0,
        extra: [String: JSONValue] = [:]
    ) {
        self.runningTasks = runningTasks
        self.desiredTasks = desiredTasks
        self.completedTasks = completedTasks
        self.extra = extra
    }
}

extension ServiceStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case runningTasks = "RunningTasks"
        case desiredTasks = "DesiredTasks"
        case completedTasks = "CompletedTasks"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        runningTasks = try fields(.runningTasks, as: UInt64.self) ?? 0
        desiredTasks = try fields(.desiredTasks, as: UInt64.self) ?? 0
        completedTasks = try fields(.completedTasks, as: UInt64.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(runningTasks, .runningTasks)
        try fields(desiredTasks, .desiredTasks)
        try fields(completedTasks, .completedTasks)
        try fields.extra(extra)
    }
}
