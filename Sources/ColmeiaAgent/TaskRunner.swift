import ColmeiaModel

/// Drives one task through its lifecycle on this node — accepted, preparing, (ready,)
/// starting, running, then complete, failed or shutdown — and reports each state.
actor TaskRunner {
    private(set) var task: SwarmTask
    private let files: TaskFiles
    private let executor: any TaskExecutor
    private let report: @Sendable (TaskStatus) async -> Void
    /// Runs before a running task is stopped: the mesh stops sending it connections and
    /// gives the other nodes time to learn it, so none arrives as it stops.
    private let drain: (@Sendable () async -> Void)?
    /// Publishes the task's host-mode ports once it runs (its `PortStatus`), and releases
    /// them when it stops.
    private let ports: TaskPorts?
    private var lifecycle: Task<Void, Never>?
    private var wakers: [CheckedContinuation<Void, Never>] = []
    /// How the task's process or container exited, once it has.
    private var exit: Result<Int, TaskFailure>?

    init(task: SwarmTask, files: TaskFiles, executor: any TaskExecutor, drain: (@Sendable () async -> Void)? = nil,
         ports: TaskPorts? = nil, report: @escaping @Sendable (TaskStatus) async -> Void) {
        self.task = task
        self.files = files
        self.executor = executor
        self.drain = drain
        self.ports = ports
        self.report = report
    }

    /// Starts driving the task; `adopt` picks up a task an earlier agent run left running.
    func start(adopt: Bool) {
        lifecycle = Task { await self.drive(adopt: adopt) }
    }

    /// A newer copy of the task from the dispatcher (its desired state may have moved).
    func update(_ newer: SwarmTask) {
        task.desiredState = newer.desiredState
        wakeAll()
    }

    /// The task is no longer assigned here: stop it and free its resources.
    func stopAndRemove() async {
        task.desiredState = .remove
        update(task)
        await lifecycle?.value
        await executor.remove(task)
    }

    /// A job's task is wanted until it completes (desired `complete`); anything past that
    /// means stop.
    private var stopWanted: Bool { task.desiredState > .complete }

    private func drive(adopt: Bool) async {
        if adopt {
            // Already reported running by the agent that started it; its host ports are
            // taken again where they were.
            if let ports {
                do throws(TaskFailure) {
                    _ = try await ports.publish(task.status.portStatus.ports.isEmpty ? nil : task.status.portStatus.ports)
                } catch {
                    await report(status(.failed, "started", err: error.message))
                    await executor.stop(task)
                    return
                }
            }
            await run(status: task.status.containerStatus ?? ContainerStatus(), reportRunning: false)
            return
        }
        await report(status(.accepted, "accepted"))
        await report(status(.preparing, "preparing"))
        do {
            try await executor.prepare(task, files: files)
        } catch {
            await report(status(.rejected, "preparing", err: error.message))
            return
        }
        if task.desiredState == .ready {
            await report(status(.ready, "ready"))
            while task.desiredState == .ready { await nextUpdate() }
        }
        if stopWanted {
            await report(status(.shutdown, "shutdown"))
            return
        }
        await report(status(.starting, "starting"))
        let container: ContainerStatus
        var published: [PortConfig] = []
        do {
            container = try await executor.start(task)
        } catch {
            await report(status(.failed, "starting", err: error.message))
            return
        }
        if let ports {
            do throws(TaskFailure) {
                published = try await ports.publish(nil)
            } catch {
                await executor.stop(task)
                await report(status(.failed, "starting", err: error.message))
                return
            }
        }
        await run(status: container, published: published)
    }

    /// The task runs: wait for it to exit, or stop it when asked.
    private func run(status container: ContainerStatus, published: [PortConfig] = [], reportRunning: Bool = true) async {
        if reportRunning {
            var running = status(.running, "started")
            running.containerStatus = container
            running.portStatus = PortStatus(ports: published)
            await report(running)
        }
        defer { if let ports { Task { await ports.unpublish() } } }
        let executor = self.executor
        let task = self.task
        Task {
            let result: Result<Int, TaskFailure>
            do throws(TaskFailure) {
                result = .success(try await executor.wait(task))
            } catch {
                result = .failure(error)
            }
            await self.exited(result)
        }
        while !stopWanted && exit == nil { await nextUpdate() }
        if stopWanted {
            if exit == nil, let drain { await drain() }
            await executor.stop(task)
            while exit == nil { await nextUpdate() }
            await report(status(.shutdown, "shutdown"))
            return
        }
        switch exit {
        case .success(let code)?:
            var ended = code == 0 ? status(.complete, "finished") : status(.failed, "started", err: "task: non-zero exit (\(code))")
            ended.containerStatus = ContainerStatus(containerID: container.containerID, pid: 0, exitCode: code)
            await report(ended)
        case .failure(let failure)?:
            await report(status(.failed, "started", err: failure.message))
        case nil:
            break
        }
    }

    private func exited(_ result: Result<Int, TaskFailure>) {
        exit = result
        wakeAll()
    }

    /// Suspends until ``update(_:)`` is called (or the calling task is cancelled).
    private func nextUpdate() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { wakers.append(continuation) }
            }
        } onCancel: {
            Task { await self.wakeAll() }
        }
    }

    private func wakeAll() {
        let waiting = wakers
        wakers.removeAll()
        for waker in waiting { waker.resume() }
    }

    private func status(_ state: TaskState, _ message: String, err: String = "") -> TaskStatus {
        TaskStatus(timestamp: .now(), state: state, message: message, err: err)
    }
}
