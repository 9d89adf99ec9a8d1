/// A container health check. Durations are nanoseconds; zero inherits the image's.
public struct HealthConfig: Sendable, Hashable, PreservesUnknownFields {
    /// `["NONE"]`, `["CMD", args…]` or `["CMD-SHELL", command]`.
    public var test: [String]
    public var interval: Int64
    public var timeout: Int64
    public var startPeriod: Int64
    public var startInterval: Int64
    public var retries: Int
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        test: [String] = [],
        interval: Int64 = 0,
        timeout: Int64 = 0,
        startPeriod: Int64 = 0,
        startInterval: Int64 = 0,
        retries: Int = 0,
        extra: [String: JSONValue] = [:]
    ) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.startInterval = startInterval
        self.retries = retries
        self.extra = extra
    }
}

extension HealthConfig: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case test = "Test"
        case interval = "Interval"
        case timeout = "Timeout"
        case startPeriod = "StartPeriod"
        case startInterval = "StartInterval"
        case retries = "Retries"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        test = try fields(.test, as: [String].self) ?? []
        interval = try fields(.interval, as: Int64.self) ?? 0
        timeout = try fields(.timeout, as: Int64.self) ?? 0
        startPeriod = try fields(.startPeriod, as: Int64.self) ?? 0
        startInterval = try fields(.startInterval, as: Int64.self) ?? 0
        retries = try fields(.retries, as: Int.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(test, .test)
        try fields.omitEmpty(interval, .interval)
        try fields.omitEmpty(timeout, .timeout)
        try fields.omitEmpty(startPeriod, .startPeriod)
        try fields.omitEmpty(startInterval, .startInterval)
        try fields.omitEmpty(retries, .retries)
        try fields.extra(extra)
    }
}
