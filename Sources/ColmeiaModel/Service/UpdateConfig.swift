/// How a rolling update (or rollback) replaces tasks. Durations are nanoseconds.
public struct UpdateConfig: Sendable, Hashable, PreservesUnknownFields {
    /// Tasks updated at once (0: all).
    public var parallelism: UInt64
    /// Pause between batches.
    public var delay: Int64
    public var failureAction: FailureAction
    /// How long a new task is watched for failure.
    public var monitor: Int64
    /// Tolerated fraction of failed tasks, 0…1.
    public var maxFailureRatio: Double
    public var order: UpdateOrder
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        parallelism: UInt64 = 0,
        delay: Int64 = 0,
        failureAction: FailureAction = "",
        monitor: Int64 = 0,
        maxFailureRatio: Double = 0,
        order: UpdateOrder = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.parallelism = parallelism
        self.delay = delay
        self.failureAction = failureAction
        self.monitor = monitor
        self.maxFailureRatio = maxFailureRatio
        self.order = order
        self.extra = extra
    }
}

extension UpdateConfig: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case parallelism = "Parallelism"
        case delay = "Delay"
        case failureAction = "FailureAction"
        case monitor = "Monitor"
        case maxFailureRatio = "MaxFailureRatio"
        case order = "Order"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        parallelism = try fields(.parallelism, as: UInt64.self) ?? 0
        delay = try fields(.delay, as: Int64.self) ?? 0
        failureAction = try fields(.failureAction, as: FailureAction.self) ?? ""
        monitor = try fields(.monitor, as: Int64.self) ?? 0
        maxFailureRatio = try fields(.maxFailureRatio, as: Double.self) ?? 0
        order = try fields(.order, as: UpdateOrder.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(parallelism, .parallelism)
        try fields.omitEmpty(delay, .delay)
        try fields.omitEmpty(failureAction, .failureAction)
        try fields.omitEmpty(monitor, .monitor)
        try fields(maxFailureRatio, .maxFailureRatio)
        try fields(order, .order)
        try fields.extra(extra)
    }
}
