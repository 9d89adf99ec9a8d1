import ColmeiaModel

/// A task's host-mode ports: published by the node once the task runs, released when it
/// stops. The agent builds it from the node's mesh for tasks whose service has any.
struct TaskPorts: Sendable {
    /// Binds the ports (the given published numbers, when re-taking an adopted task's);
    /// returns them as bound, or the task's error.
    let publish: @Sendable ([PortConfig]?) async throws(TaskFailure) -> [PortConfig]
    let unpublish: @Sendable () async -> Void
}
