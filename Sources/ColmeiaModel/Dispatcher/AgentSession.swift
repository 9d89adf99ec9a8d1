/// What the dispatcher grants a registered agent: its node id, a session id to quote on
/// every call, and how often to send heartbeats.
public struct AgentSession: Sendable, Hashable, Codable {
    public var nodeID: String
    public var sessionID: String
    /// Heartbeat period in nanoseconds.
    public var heartbeatPeriod: Int64

    public init(nodeID: String, sessionID: String, heartbeatPeriod: Int64) {
        self.nodeID = nodeID
        self.sessionID = sessionID
        self.heartbeatPeriod = heartbeatPeriod
    }

    enum CodingKeys: String, CodingKey {
        case nodeID = "NodeID"
        case sessionID = "SessionID"
        case heartbeatPeriod = "HeartbeatPeriod"
    }
}
