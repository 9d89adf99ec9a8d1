import ColmeiaModel

/// The tasks that take turns filling one place of a service: a slot of a replicated
/// service, or a node of a global one. The newest wanted task is the place's occupant; the
/// others are its history (`\_` lines of `docker service ps`).
public struct TaskGroup: Sendable, Hashable {
    /// Slot number (replicated) or 0 (global).
    public var slot: Int
    /// The node (global services), or empty.
    public var nodeID: String
    /// Every task of the place, oldest first.
    public var tasks: [SwarmTask]

    public init(slot: Int, nodeID: String = "", tasks: [SwarmTask]) {
        self.slot = slot
        self.nodeID = nodeID
        self.tasks = tasks
    }

    /// Tasks the orchestrator still wants (desired `ready` or `running`).
    public var wanted: [SwarmTask] { tasks.filter(\.isWanted) }

    /// Wanted tasks that run the template.
    public func current(_ template: TaskSpec) -> [SwarmTask] { tasks.filter { $0.isWanted && $0.runs(template) } }

    /// Wanted tasks that run an older template.
    public func outdated(_ template: TaskSpec) -> [SwarmTask] { tasks.filter { $0.isWanted && !$0.runs(template) } }

    /// Groups tasks by slot (replicated) or by node (global).
    static func bySlot(_ tasks: [SwarmTask]) -> [TaskGroup] {
        Dictionary(grouping: tasks, by: \.slot).map { TaskGroup(slot: $0.key, tasks: $0.value) }.sorted { $0.slot < $1.slot }
    }

    static func byNode(_ tasks: [SwarmTask]) -> [TaskGroup] {
        Dictionary(grouping: tasks, by: \.nodeID).map { TaskGroup(slot: 0, nodeID: $0.key, tasks: $0.value) }
            .sorted { $0.nodeID < $1.nodeID }
    }
}
