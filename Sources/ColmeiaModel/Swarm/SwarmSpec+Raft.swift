extension SwarmSpec {
    /// Raft settings of the managers.
    public struct Raft: Sendable, Hashable, PreservesUnknownFields {
        /// Log entries between snapshots.
        public var snapshotInterval: UInt64
        public var keepOldSnapshots: UInt64?
        public var logEntriesForSlowFollowers: UInt64
        /// Ticks without a heartbeat before an election.
        public var electionTick: Int
        /// Ticks between leader heartbeats.
        public var heartbeatTick: Int
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            snapshotInterval: UInt64 = 0,
            keepOldSnapshots: UInt64? = nil,
            logEntriesForSlowFollowers: UInt64 = 0,
            electionTick: Int = 0,
            heartbeatTick: Int = 0,
            extra: [String: JSONValue] = [:]
        ) {
            self.snapshotInterval = snapshotInterval
            self.keepOldSnapshots = keepOldSnapshots
            self.logEntriesForSlowFollowers = logEntriesForSlowFollowers
            self.electionTick = electionTick
            self.heartbeatTick = heartbeatTick
            self.extra = extra
        }
    }
}

extension SwarmSpec.Raft: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case snapshotInterval = "SnapshotInterval"
        case keepOldSnapshots = "KeepOldSnapshots"
        case logEntriesForSlowFollowers = "LogEntriesForSlowFollowers"
        case electionTick = "ElectionTick"
        case heartbeatTick = "HeartbeatTick"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        snapshotInterval = try fields(.snapshotInterval, as: UInt64.self) ?? 0
        keepOldSnapshots = try fields(.keepOldSnapshots, as: UInt64.self)
        logEntriesForSlowFollowers = try fields(.logEntriesForSlowFollowers, as: UInt64.self) ?? 0
        electionTick = try fields(.electionTick, as: Int.self) ?? 0
        heartbeatTick = try fields(.heartbeatTick, as: Int.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(snapshotInterval, .snapshotInterval)
        try fields.ifPresent(keepOldSnapshots, .keepOldSnapshots)
        try fields.omitEmpty(logEntriesForSlowFollowers, .logEntriesForSlowFollowers)
        try fields(electionTick, .electionTick)
        try fields(heartbeatTick, .heartbeatTick)
        try fields.extra(extra)
    }
}
