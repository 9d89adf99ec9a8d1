/// The agent's side of the dispatcher protocol (SwarmKit's Session/Heartbeat/
/// UpdateTaskStatus): register, keep the session alive, receive assignment sets, report
/// task status. Implemented in-process for a manager's own agent and over the cluster
/// port for remote workers.
public protocol DispatcherConnection: Sendable {
    /// Registers this node (`nodeID` nil for a node the cluster has not seen yet).
    func register(nodeID: String?, description: NodeDescription) async throws -> AgentSession
    /// Keeps the session alive; returns the period until the next heartbeat is due.
    func heartbeat(_ session: AgentSession) async throws -> Int64
    /// The node's full set of assignments, first at once and again whenever it changes.
    /// Ends (or throws) when the session ends.
    func assignments(_ session: AgentSession) async throws -> AsyncThrowingStream<Assignments, any Error>
    /// Reports observed task states (the dispatcher batches them into commands).
    func report(_ session: AgentSession, _ updates: [TaskStatusUpdate]) async throws
}

/// Why the dispatcher refused a call.
public enum DispatcherError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The session is unknown or expired: register again.
    case sessionInvalid
    /// This manager is not the leader (or not ready) and cannot dispatch.
    case unavailable(String)

    public var description: String {
        switch self {
        case .sessionInvalid: "session invalid"
        case .unavailable(let reason): "dispatcher is unavailable: \(reason)"
        }
    }
}
