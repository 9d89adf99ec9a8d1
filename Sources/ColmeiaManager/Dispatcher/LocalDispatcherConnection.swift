import ColmeiaModel

/// The dispatcher protocol in-process: a manager's own agent talks to its dispatcher
/// without a network hop, through the same calls a remote agent makes.
public struct LocalDispatcherConnection: DispatcherConnection {
    private let dispatcher: Dispatcher
    private let addr: String

    public init(dispatcher: Dispatcher, addr: String) {
        self.dispatcher = dispatcher
        self.addr = addr
    }

    public func register(nodeID: String?, description: NodeDescription) async throws -> AgentSession {
        try await dispatcher.register(nodeID: nodeID, description: description, addr: addr)
    }

    public func heartbeat(_ session: AgentSession) async throws -> Int64 {
        try await dispatcher.heartbeat(session)
    }

    public func assignments(_ session: AgentSession) async throws -> AsyncThrowingStream<Assignments, any Error> {
        try await dispatcher.assignments(session)
    }

    public func report(_ session: AgentSession, _ updates: [TaskStatusUpdate]) async throws {
        try await dispatcher.report(session, updates)
    }
}
