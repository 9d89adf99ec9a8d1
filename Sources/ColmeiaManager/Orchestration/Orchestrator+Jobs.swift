import ColmeiaModel

/// Jobs (`--mode replicated-job` and `global-job`), as SwarmKit's jobs orchestrators run
/// them: tasks of the service's current `JobIteration` run to completion (desired state
/// `complete`); a failed one is restarted under the restart policy (`any` acts as
/// `on-failure`: a completed task is never run again); tasks of an older iteration are
/// removed. `docker service update` (with `--force`) starts a new iteration.
extension Orchestrator {
    /// The iteration a task belongs to (tasks without one belong to the first).
    static func iteration(of task: SwarmTask) -> UInt64 { task.jobIteration?.index ?? 0 }

    static func iteration(of service: Service) -> UInt64 { service.jobStatus?.jobIteration.index ?? 0 }

    /// Runs up to `maxConcurrent` tasks at a time until `totalCompletions` have completed,
    /// each in a slot of its own, numbered from 0 as SwarmKit does (the docker CLI's job
    /// progress reads slots 0 … totalCompletions-1).
    mutating func reconcileReplicatedJob(_ service: Service, maxConcurrent: Int, totalCompletions: Int,
                                         tasks: [SwarmTask], view: ClusterView) {
        let iteration = Self.iteration(of: service)
        var events = removeOldIterations(tasks, current: iteration)
        let current = tasks.filter { Self.iteration(of: $0) == iteration && $0.isWanted }
        let completed = current.filter { $0.status.state == .complete }
        let active = current.filter { $0.status.state != .complete }
        var occupied = Set(current.map(\.slot))

        // The failed tasks of this iteration in a slot: its restart attempts.
        func failures(inSlot slot: Int) -> [SwarmTask] {
            tasks.filter {
                $0.slot == slot && Self.iteration(of: $0) == iteration && $0.hasEnded
                    && $0.status.state > .complete && $0.status.state != .shutdown && $0.status.state != .remove
            }
        }
        // A failed task is replaced in its slot when its restart policy allows it.
        for task in active where task.hasEnded {
            let earlier = failures(inSlot: task.slot).filter { $0.id != task.id && !$0.isWanted }.map(\.endedAt)
            switch RestartSupervisor.decide(ended: task, policy: service.spec.taskTemplate.restartPolicy,
                                            earlierEnds: earlier, now: now) {
            case .restart:
                events += shutDown([task])
                events.append(.taskCreated(newTask(for: service, slot: task.slot, nodeID: "", desired: .complete, view: view,
                                                   restartAttempts: RestartSupervisor.attempts(after: failures(inSlot: task.slot)))))
            case .restartAt(let time):
                plan.wake(at: time)
            case .never:
                break
            }
        }
        // Tasks stuck on a node that went away are replaced too.
        for task in active where !task.hasEnded && view.nodeIsUnavailable(for: task) {
            events += shutDown([task])
            events.append(.taskCreated(newTask(for: service, slot: task.slot, nodeID: "", desired: .complete, view: view,
                                               restartAttempts: RestartSupervisor.attempts(after: failures(inSlot: task.slot)))))
        }

        let running = current.filter { $0.status.state != .complete }.count
        let total = min(totalCompletions, Self.replicaCeiling)
        let wanted = min(maxConcurrent - running, total - completed.count - running, Self.newTasksPerPass)
        var slot = 0
        var created = 0
        while created < wanted && slot < total {
            if !occupied.contains(slot) {
                events.append(.taskCreated(newTask(for: service, slot: slot, nodeID: "", desired: .complete, view: view)))
                occupied.insert(slot)
                created += 1
            }
            slot += 1
        }
        plan.add(events, reconciler: "orchestrator", preconditions: [versionOf(service)])
    }

    /// Runs one task to completion on every eligible node (ready, active, within the
    /// constraints) that has none of this iteration.
    mutating func reconcileGlobalJob(_ service: Service, tasks: [SwarmTask], view: ClusterView) {
        let iteration = Self.iteration(of: service)
        var events = removeOldIterations(tasks, current: iteration)
        let constraints = try? PlacementConstraint.parse(service.spec.taskTemplate.placement?.constraints ?? [])
        let current = tasks.filter { Self.iteration(of: $0) == iteration && $0.isWanted }
        let byNode = Dictionary(grouping: current, by: \.nodeID)
        for id in view.nodes.keys.sorted() {
            guard let node = view.nodes[id] else { continue }
            let fits = constraints.map(node.satisfies) ?? false
            let mine = byNode[id] ?? []
            guard fits, node.spec.availability != .drain else {
                events += shutDown(mine.filter { !$0.hasEnded })
                continue
            }
            if mine.contains(where: { $0.status.state == .complete }) { continue }
            if let failed = mine.first(where: { $0.hasEnded }) {
                let failures = tasks.filter {
                    $0.nodeID == id && Self.iteration(of: $0) == iteration && $0.hasEnded
                        && $0.status.state > .complete && $0.status.state != .shutdown && $0.status.state != .remove
                }
                let earlier = failures.filter { $0.id != failed.id && !$0.isWanted }.map(\.endedAt)
                switch RestartSupervisor.decide(ended: failed, policy: service.spec.taskTemplate.restartPolicy,
                                                earlierEnds: earlier, now: now) {
                case .restart:
                    events += shutDown([failed])
                    if node.status.state == .ready && node.spec.availability == .active {
                        events.append(.taskCreated(newTask(for: service, slot: 0, nodeID: id, desired: .complete, view: view,
                                                           restartAttempts: RestartSupervisor.attempts(after: failures))))
                    }
                case .restartAt(let time):
                    plan.wake(at: time)
                case .never:
                    break
                }
                continue
            }
            if mine.isEmpty, node.status.state == .ready, node.spec.availability == .active {
                events.append(.taskCreated(newTask(for: service, slot: 0, nodeID: id, desired: .complete, view: view)))
            }
        }
        // Tasks on nodes that left the cluster.
        for task in current where !task.hasEnded && view.nodes[task.nodeID] == nil {
            events += shutDown([task])
        }
        plan.add(events, reconciler: "orchestrator", preconditions: [versionOf(service)])
    }

    /// Tasks of an earlier iteration that have not finished are removed (a completed one
    /// stays as history until the reaper trims it).
    private mutating func removeOldIterations(_ tasks: [SwarmTask], current: UInt64) -> [ClusterEvent] {
        shutDown(tasks.filter { Self.iteration(of: $0) != current && $0.status.state <= .running }, to: .remove)
    }
}
