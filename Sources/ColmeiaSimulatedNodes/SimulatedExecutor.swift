import ColmeiaAgent
import ColmeiaModel

/// An executor whose tasks run nowhere: they start at once and run until stopped or
/// until a test ends them with ``exit(_:code:)``. For benchmarks and tests that need many
/// nodes on one machine; images listed in `failingImages` fail to "pull".
public actor SimulatedExecutor: TaskExecutor {
    private var running: [String: CheckedContinuation<Int, Never>] = [:]
    private var exited: [String: Int] = [:]
    private let failingImages: Set<String>
    /// Tasks started so far.
    public private(set) var started = 0

    public init(failingImages: Set<String> = []) {
        self.failingImages = failingImages
    }

    public func prepare(_ task: SwarmTask, files: TaskFiles) async throws(TaskFailure) {
        let image = task.spec.containerSpec?.image ?? ""
        if failingImages.contains(image) {
            throw TaskFailure("No such image: \(image)")
        }
    }

    public func start(_ task: SwarmTask) async throws(TaskFailure) -> ContainerStatus {
        started += 1
        exited[task.id] = nil
        return ContainerStatus(containerID: "sim-" + task.id, pid: 0, exitCode: 0)
    }

    public func wait(_ task: SwarmTask) async throws(TaskFailure) -> Int {
        if let code = exited[task.id] { return code }
        return await withCheckedContinuation { running[task.id] = $0 }
    }

    public func stop(_ task: SwarmTask) async {
        exit(task.id, code: 0)
    }

    public func remove(_ task: SwarmTask) async {
        exited[task.id] = nil
    }

    public func isRunning(_ task: SwarmTask) async -> TaskPresence { running[task.id] != nil ? .running : .absent }

    public nonisolated var tasksOutliveAgent: Bool { true }

    /// Simulated tasks write nothing.
    public func logs(_ task: SwarmTask, options: LogOptions) async throws(TaskFailure) -> AsyncThrowingStream<LogEntry, any Error> {
        AsyncThrowingStream { $0.finish() }
    }

    /// Ends a running task as if its process exited with `code` (137: killed).
    public func exit(_ taskID: String, code: Int) {
        exited[taskID] = code
        running.removeValue(forKey: taskID)?.resume(returning: code)
    }

    /// Ids of the tasks running now.
    public var runningTaskIDs: [String] { running.keys.sorted() }
}
