import ColmeiaManager
import ColmeiaModel
import ColmeiaNode

/// A manager's own agent: the local dispatcher while this node leads, the leader's over
/// the cluster port otherwise. Sessions do not survive a change of leader; the agent
/// registers again wherever the next call lands.
struct ManagerDispatcherConnection: DispatcherConnection {
    let manager: ClusterManager
    let addr: String
    let remote: RemoteDispatcherConnection

    func register(nodeID: String?, description: NodeDescription) async throws -> AgentSession {
        if let local = await manager.leaderDispatcher() {
            return try await local.register(nodeID: nodeID, description: description, addr: addr)
        }
        return try await remote.register(nodeID: nodeID, description: description)
    }

    func heartbeat(_ session: AgentSession) async throws -> Int64 {
        if let local = await manager.leaderDispatcher() { return try await local.heartbeat(session) }
        return try await remote.heartbeat(session)
    }

    func assignments(_ session: AgentSession) async throws -> AsyncThrowingStream<Assignments, any Error> {
        if let local = await manager.leaderDispatcher() { return try await local.assignments(session) }
        return try await remote.assignments(session)
    }

    func report(_ session: AgentSession, _ updates: [TaskStatusUpdate]) async throws {
        if let local = await manager.leaderDispatcher() { return try await local.report(session, updates) }
        try await remote.report(session, updates)
    }
}
