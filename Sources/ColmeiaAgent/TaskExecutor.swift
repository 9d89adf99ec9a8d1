import ColmeiaModel

/// Runs tasks on this node: Docker containers or plain processes. Each call is about one
/// task; an executor keeps whatever handles it needs, keyed by task id.
public protocol TaskExecutor: Sendable {
    /// Readies what the task needs (its image, its directories, its secret and config
    /// files). A failure rejects the task.
    func prepare(_ task: SwarmTask, files: TaskFiles) async throws(TaskFailure)
    /// Starts the task and returns once it runs.
    func start(_ task: SwarmTask) async throws(TaskFailure) -> ContainerStatus
    /// Waits until the task exits and returns its exit code (128 + signal when killed).
    func wait(_ task: SwarmTask) async throws(TaskFailure) -> Int
    /// Stops the task: its stop signal, then a kill after its grace period.
    func stop(_ task: SwarmTask) async
    /// Frees what the task held (container, files).
    func remove(_ task: SwarmTask) async
    /// Whether a task that an earlier run of the agent started is still running here, so
    /// that the agent can adopt it instead of starting it again; `unknown` when the
    /// executor cannot tell (its engine did not answer), which is never taken as "gone".
    func isRunning(_ task: SwarmTask) async -> TaskPresence
    /// What the task wrote, oldest first; with `follow`, keeps going until cancelled.
    func logs(_ task: SwarmTask, options: LogOptions) async throws(TaskFailure) -> AsyncThrowingStream<LogEntry, any Error>
    /// Whether tasks keep running when the agent stops (containers do; child processes
    /// cannot be adopted, so the agent stops them on its way out).
    var tasksOutliveAgent: Bool { get }
    /// Removes what earlier runs of the agent left on this node for tasks not in
    /// `taskIDs` (containers of tasks deleted while the agent was away).
    func removeLeftovers(onNode nodeID: String, keeping taskIDs: Set<String>) async
    /// Releases what the executor holds for itself (the agent is going away).
    func close() async
    /// The node as this executor sees it (a Docker executor reports its engine's version,
    /// labels and resources), sent when the agent registers.
    func describe(_ host: NodeDescription) async -> NodeDescription
    /// Containers (or processes) and images on this node, for `docker info`; nil when the
    /// executor cannot tell.
    func counts() async -> EngineCounts?
}

extension TaskExecutor {
    public func close() async {}

    /// Nothing outlives the agent by default, so nothing is left over.
    public func removeLeftovers(onNode nodeID: String, keeping taskIDs: Set<String>) async {}

    /// The node as this executor sees it; the default is the host's own description.
    public func describe(_ host: NodeDescription) async -> NodeDescription { host }

    public func counts() async -> EngineCounts? { nil }
}

/// Container and image counts of a node (`docker info`): a Docker executor's engine, or the
/// process executor's tasks (which have no images).
public struct EngineCounts: Sendable, Hashable {
    public var containers: Int
    public var running: Int
    public var paused: Int
    public var stopped: Int
    public var images: Int?

    public init(containers: Int, running: Int, paused: Int, stopped: Int, images: Int?) {
        self.containers = containers
        self.running = running
        self.paused = paused
        self.stopped = stopped
        self.images = images
    }
}

/// What an executor knows of a task it may have started earlier.
public enum TaskPresence: Sendable, Hashable {
    case running
    /// Not running here (exited, or never started).
    case absent
    /// The executor could not find out, for the reason given.
    case unknown(String)
}

/// Why a task could not be prepared or started, in the words `Status.Err` shows.
public struct TaskFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
