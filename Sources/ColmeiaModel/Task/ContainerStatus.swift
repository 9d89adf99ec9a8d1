/// The container behind a task.
public struct ContainerStatus: Sendable, Hashable, PreservesUnknownFields {
    public var containerID: String
    public var pid: Int
    public var exitCode: Int
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        containerID: String = "",
        pid: Int = 0,
        exitCode: Int = 0,
        extra: [String: JSONValue] = [:]
    ) {
        self.containerID = containerID
        self.pid = pid
        self.exitCode = exitCode
        self.extra = extra
    }
}

extension ContainerStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case containerID = "ContainerID"
        case pid = "PID"
        case exitCode = "ExitCode"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        containerID = try fields(.containerID, as: String.self) ?? ""
        pid = try fields(.pid, as: Int.self) ?? 0
        exitCode = try fields(.exitCode, as: Int.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(containerID, .containerID)
        try fields(pid, .pid)
        try fields(exitCode, .exitCode)
        try fields.extra(extra)
    }
}
