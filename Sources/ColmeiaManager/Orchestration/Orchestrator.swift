import ColmeiaModel

/// One reconcile pass over the whole cluster: the replicated and global orchestrators, the
/// updater, the restart supervisor, the scheduler and the task reaper, as a pure function
/// of the leader's ``ClusterView`` and a clock. Level-triggered: it compares desired and
/// observed state afresh each time, so a new leader simply runs it and continues; every
/// command it makes is safe to lose or to apply after a newer one.
public struct Orchestrator {
    public var now: Timestamp
    var newID: () -> String
    var plan = ReconcilePlan()
    /// Tasks this pass already sets to shut down (they still count as running until they stop).
    var stopping: Set<String> = []
    /// Addresses on the cluster's networks, read from the view when a pass first needs one.
    var addresses: AddressBook?

    public init(now: Timestamp, newID: @escaping () -> String) {
        self.now = now
        self.newID = newID
    }

    /// Plans the commands that bring `view` closer to its desired state.
    public static func plan(_ view: ClusterView, now: Timestamp, newID: @escaping () -> String) -> ReconcilePlan {
        var pass = Orchestrator(now: now, newID: newID)
        for id in view.services.keys.sorted() {
            guard let service = view.services[id] else { continue }
            pass.reconcile(service, in: view)
        }
        pass.removeOrphans(in: view)
        pass.allocateWaiting(view)
        pass.schedule(view)
        pass.reap(view)
        var plan = pass.plan
        plan.commands += DeployTracker.plan(view, now: now, newID: newID)
        return plan
    }

    // MARK: Services

    private mutating func reconcile(_ service: Service, in view: ClusterView) {
        let tasks = view.tasks(ofService: service.id)
        switch service.spec.mode.kind {
        case .replicated(let replicas)?:
            reconcileReplicated(service, replicas: max(0, Int(replicas)), tasks: tasks, view: view)
        case .global?:
            reconcileGlobal(service, tasks: tasks, view: view)
        case .replicatedJob(let maxConcurrent, let totalCompletions)?:
            reconcileReplicatedJob(service, maxConcurrent: Int(clamping: max(0, maxConcurrent)),
                                   totalCompletions: Int(clamping: max(0, totalCompletions)), tasks: tasks, view: view)
        case .globalJob?:
            reconcileGlobalJob(service, tasks: tasks, view: view)
        case nil:
            return
        }
    }

    /// The most tasks one pass creates for one service: a huge replica count fills in over
    /// several passes (each sees deletions and updates made meanwhile), never in one
    /// allocation the size of the count.
    public static let newTasksPerPass = 5_000
    /// Replica counts beyond this are treated as this (the API refuses far less; this bounds
    /// what reached the log by other ways).
    public static let replicaCeiling = 1_000_000

    private mutating func reconcileReplicated(_ service: Service, replicas requested: Int, tasks: [SwarmTask], view: ClusterView) {
        let replicas = min(requested, Self.replicaCeiling)
        let groups = TaskGroup.bySlot(tasks)
        var bySlot = Dictionary(uniqueKeysWithValues: groups.map { ($0.slot, $0) })
        // Empty slots to fill, walked only as far as the budget of new tasks reaches.
        var slot = 1
        var added = 0
        while slot <= replicas && added < Self.newTasksPerPass {
            if bySlot[slot] == nil {
                bySlot[slot] = TaskGroup(slot: slot, tasks: [])
                added += 1
            }
            slot += 1
        }
        let active = bySlot.values.filter { $0.slot >= 1 && $0.slot <= replicas }.sorted { $0.slot < $1.slot }
        var events: [ClusterEvent] = []
        guard let (updated, step) = update(service, groups: active) else { return }
        let replacing = Set(step.replace.map(\.slot))
        for group in active {
            events += reconcile(group, of: updated, replace: replacing.contains(group.slot), canCreate: true, view: view)
        }
        // Scale down: the highest slots go first, i.e. every slot above the count.
        for group in groups where group.slot > replicas || group.slot < 1 {
            events += shutDown(group.wanted)
        }
        emit(events, for: updated, original: service)
    }

    private mutating func reconcileGlobal(_ service: Service, tasks: [SwarmTask], view: ClusterView) {
        let constraints = try? PlacementConstraint.parse(service.spec.taskTemplate.placement?.constraints ?? [])
        var byNode = Dictionary(uniqueKeysWithValues: TaskGroup.byNode(tasks).map { ($0.nodeID, $0) })
        var events: [ClusterEvent] = []
        var eligible: [TaskGroup] = []
        for id in view.nodes.keys.sorted() {
            guard let node = view.nodes[id] else { continue }
            let group = byNode.removeValue(forKey: id) ?? TaskGroup(slot: 0, nodeID: id, tasks: [])
            let fits = constraints.map(node.satisfies) ?? false
            if node.spec.availability == .drain || !fits {
                events += shutDown(group.wanted)
            } else {
                eligible.append(group)
            }
        }
        // Tasks on nodes that left the cluster.
        for group in byNode.values.sorted(by: { $0.nodeID < $1.nodeID }) where !group.nodeID.isEmpty {
            events += shutDown(group.wanted)
        }
        guard let (updated, step) = update(service, groups: eligible) else { return }
        let replacing = Set(step.replace.map(\.nodeID))
        for group in eligible {
            let node = view.nodes[group.nodeID]
            let canCreate = node?.status.state == .ready && node?.spec.availability == .active
            events += reconcile(group, of: updated, replace: replacing.contains(group.nodeID), canCreate: canCreate,
                                view: view)
        }
        emit(events, for: updated, original: service)
    }

    /// Runs the updater; returns the service as this pass leaves it, or nil when an
    /// automatic rollback was planned instead (its tasks follow on the next pass).
    private mutating func update(_ service: Service, groups: [TaskGroup]) -> (Service, Updater.Step)? {
        let step = Updater.evaluate(service: service, groups: groups, now: now)
        if let wake = step.wakeAt { plan.wake(at: wake) }
        var updated = service
        if let status = step.status { updated.updateStatus = status }
        if step.rollback, let previous = service.previousSpec {
            updated.previousSpec = service.spec
            updated.spec = previous
            plan.add([.serviceUpdated(updated)], reconciler: "updater", preconditions: [versionOf(service)])
            return nil
        }
        return (updated, step)
    }

    private mutating func emit(_ events: [ClusterEvent], for updated: Service, original: Service) {
        let trailing: [ClusterEvent] = updated == original ? [] : [.serviceUpdated(updated)]
        plan.add(events, trailing: trailing, reconciler: "orchestrator", preconditions: [versionOf(original)])
    }

    func versionOf(_ service: Service) -> Precondition {
        .objectVersion(kind: .service, id: service.id, index: service.version.index)
    }

    /// Keeps one place (slot or node) filled with one healthy task of the current template.
    private mutating func reconcile(_ group: TaskGroup, of service: Service, replace: Bool, canCreate: Bool,
                                    view: ClusterView) -> [ClusterEvent] {
        let template = service.spec.taskTemplate
        var events: [ClusterEvent] = []
        var keep: [SwarmTask] = []
        for task in group.wanted {
            if task.hasEnded {
                let earlier = group.tasks.filter {
                    $0.id != task.id && !$0.isWanted && $0.hasEnded && $0.spec == task.spec
                        && $0.status.state != .shutdown && $0.status.state != .orphaned && $0.status.state != .remove
                }.map(\.endedAt)
                switch RestartSupervisor.decide(ended: task, policy: template.restartPolicy, earlierEnds: earlier, now: now) {
                case .restart:
                    events += shutDown([task])
                case .restartAt(let time):
                    plan.wake(at: time)
                    keep.append(task)
                case .never:
                    keep.append(task)
                }
            } else if view.nodeIsUnavailable(for: task) && group.nodeID.isEmpty {
                // Drained, down or gone: a replicated task moves; a global one just stops.
                events += shutDown([task])
            } else {
                keep.append(task)
            }
        }

        // A new task here carries how often this spec has been restarted here: the history
        // that shows it is trimmed to `TaskHistoryRetentionLimit` tasks.
        let attempts = RestartSupervisor.attempts(after: group.tasks.filter {
            $0.hasEnded && $0.spec == template
                && $0.status.state != .shutdown && $0.status.state != .orphaned && $0.status.state != .remove
        })
        if replace {
            let old = keep.filter { !$0.runs(template) }
            let order = Updater.config(for: service).order
            var desired = TaskState.running
            if order == .stopFirst {
                events += shutDown(old)
                // Anything of this place still running — the tasks stopped now, or ones
                // stopped earlier that have not exited yet — must go before the new one starts.
                let stopping = group.tasks.contains { ($0.isWanted ? !$0.runs(template) : true) && stillRuns($0, view) }
                if stopping { desired = .ready }
                keep.removeAll { !$0.runs(template) }
            }
            events.append(.taskCreated(newTask(for: service, slot: group.slot, nodeID: group.nodeID, desired: desired, view: view,
                                               restartAttempts: attempts)))
            return events
        }
        if keep.isEmpty {
            if canCreate {
                events.append(.taskCreated(newTask(for: service, slot: group.slot, nodeID: group.nodeID, desired: .running, view: view,
                                                   restartAttempts: attempts)))
            }
            return events
        }

        let current = keep.filter { $0.runs(template) }
        // Start-first: once the new task runs, the old one goes.
        if current.contains(where: { $0.status.state == .running }) {
            events += shutDown(keep.filter { !$0.runs(template) })
        }
        // Stop-first: the new task starts once every older one has stopped.
        let blocked = group.tasks.contains { !$0.isWanted && stillRuns($0, view) }
            || events.contains { if case .taskDesiredStateChanged = $0 { true } else { false } }
        if !blocked {
            for task in keep where task.desiredState == .ready {
                events.append(.taskDesiredStateChanged(taskID: task.id, desiredState: .running))
            }
        }
        // More than one wanted task of the template in one place: keep the most advanced.
        if current.count > 1 {
            let best = current.max { ($0.status.state.rank, $0.createdAt) < ($1.status.state.rank, $1.createdAt) }
            events += shutDown(current.filter { $0.id != best?.id })
        }
        return events
    }

    /// Whether a task is still running somewhere we will hear from.
    private func stillRuns(_ task: SwarmTask, _ view: ClusterView) -> Bool {
        !task.hasEnded && !task.isUnassigned && !view.nodeIsLost(task.nodeID)
    }

    mutating func shutDown(_ tasks: [SwarmTask], to state: TaskState = .shutdown) -> [ClusterEvent] {
        tasks.compactMap { task in
            guard task.desiredState < state, stopping.insert(task.id).inserted else { return nil }
            return .taskDesiredStateChanged(taskID: task.id, desiredState: state)
        }
    }

    mutating func newTask(for service: Service, slot: Int, nodeID: String, desired: TaskState, view: ClusterView,
                          restartAttempts: UInt64 = 0) -> SwarmTask {
        let id = newID()
        let place = nodeID.isEmpty ? String(slot) : nodeID
        var task = SwarmTask(
            id: id, createdAt: now, updatedAt: now, name: "\(service.spec.name).\(place).\(id)",
            spec: service.spec.taskTemplate, serviceID: service.id, slot: slot, nodeID: nodeID,
            status: TaskStatus(timestamp: now, state: .pending, message: "pending task scheduling"),
            desiredState: desired, jobIteration: service.spec.mode.isJob ? service.jobStatus?.jobIteration ?? Version() : nil,
            restartAttempts: restartAttempts)
        task.networksAttachments = Self.attachments(of: service, view: view)
        allocateAddresses(&task, view: view)
        return task
    }

    /// The networks a service's tasks attach to (IDs, as the API stored them), without addresses yet.
    static func attachments(of service: Service, view: ClusterView) -> [NetworkAttachment] {
        var seen: Set<String> = []
        return (service.spec.taskTemplate.networks + service.spec.networks).compactMap { config in
            guard let network = view.networks[config.target] ?? view.networks.values.first(where: { $0.name == config.target }),
                  !network.ingress, seen.insert(network.id).inserted else { return nil }
            return NetworkAttachment(network: AttachedNetwork(network), addresses: [])
        }
    }

    /// Gives each of the task's attachments without an address one (SwarmKit's allocator).
    /// When a network is full the task waits in `pending` with the reason, and a later pass
    /// tries again; the scheduler leaves it alone meanwhile.
    /// Returns whether the task gained an address.
    @discardableResult
    mutating func allocateAddresses(_ task: inout SwarmTask, view: ClusterView) -> Bool {
        var changed = false
        for index in task.networksAttachments.indices where task.networksAttachments[index].addresses.isEmpty {
            let attachment = task.networksAttachments[index]
            if addresses == nil { addresses = AddressBook(view) }
            guard let network = view.networks[attachment.network.id] else {
                task.status.err = "network \(attachment.network.spec.name) not found"
                continue
            }
            guard let address = addresses?.allocate(on: network) else {
                task.status.err = "could not find an available IP while allocating task address on network \(network.name)"
                continue
            }
            task.networksAttachments[index].addresses = [address]
            changed = true
        }
        if changed, !task.isWaitingForAddresses, task.status.err.hasPrefix("could not find an available IP")
            || task.status.err.hasPrefix("network ") {
            task.status.err = ""
        }
        return changed
    }

    /// Pending tasks that wait for an address on a full network try again.
    private mutating func allocateWaiting(_ view: ClusterView) {
        var events: [ClusterEvent] = []
        for task in view.tasks.values.sorted(by: { $0.id < $1.id })
        where task.isWanted && task.isUnassigned && task.isWaitingForAddresses && !stopping.contains(task.id) {
            var allocated = task
            if allocateAddresses(&allocated, view: view) { events.append(.taskUpdated(allocated)) }
        }
        plan.add(events, reconciler: "allocator", chunk: 2_000)
    }

    // MARK: Removed services

    /// Tasks of services that no longer exist are told to go (`remove`); the reaper deletes
    /// them once they have stopped.
    private mutating func removeOrphans(in view: ClusterView) {
        var events: [ClusterEvent] = []
        for id in view.serviceIDsWithTasks where view.services[id] == nil {
            events += shutDown(view.tasks(ofService: id), to: .remove)
        }
        plan.add(events, reconciler: "orchestrator")
    }

    // MARK: Scheduling

    private mutating func schedule(_ view: ClusterView) {
        let pending = view.tasks.values.filter {
            $0.isWanted && $0.status.state == .pending && !stopping.contains($0.id) && view.services[$0.serviceID] != nil
                && !$0.isWaitingForAddresses
        }
        guard !pending.isEmpty else { return }
        let decision = Scheduler.schedule(pending, in: view)
        var events: [ClusterEvent] = decision.assignments.map { assignment in
            .taskAssigned(taskID: assignment.task, nodeID: assignment.node,
                          status: TaskStatus(timestamp: now, state: .assigned, message: "scheduler assigned task to node"))
        }
        for (taskID, reason) in decision.unschedulable {
            guard let task = view.tasks[taskID], task.status.err != reason else { continue }
            events.append(.taskStatusChanged(taskID: taskID, status: TaskStatus(
                timestamp: now, state: .pending, message: "pending task scheduling", err: reason)))
        }
        plan.add(events, reconciler: "scheduler", chunk: 2_000)
    }

    // MARK: History

    /// Deletes stopped tasks beyond the swarm's `TaskHistoryRetentionLimit` per place
    /// (oldest first), and every stopped task of a removed service.
    private mutating func reap(_ view: ClusterView) {
        let limit = Int(view.swarm?.spec.orchestration.taskHistoryRetentionLimit ?? 5)
        var events: [ClusterEvent] = []
        for serviceID in view.serviceIDsWithTasks {
            let tasks = view.tasks(ofService: serviceID)
            let finished: (SwarmTask) -> Bool = { task in
                !task.isWanted && (task.hasEnded || task.isUnassigned || view.nodeIsLost(task.nodeID))
            }
            guard let service = view.services[serviceID] else {
                events += tasks.filter(finished).map { .taskRemoved(id: $0.id) }
                continue
            }
            guard limit >= 0 else { continue }
            // A job's finished tasks of its current iteration are its completions: they stay.
            let iteration = Self.iteration(of: service)
            let reapable: (SwarmTask) -> Bool = service.spec.mode.isJob
                ? { finished($0) || ($0.hasEnded && Self.iteration(of: $0) != iteration) }
                : finished
            let byNode = service.spec.mode.global != nil || service.spec.mode.globalJob != nil
            let groups = byNode ? TaskGroup.byNode(tasks) : TaskGroup.bySlot(tasks)
            for group in groups where group.tasks.count > limit {
                let removable = group.tasks.filter(reapable)
                let excess = min(removable.count, group.tasks.count - limit)
                events += removable.prefix(excess).map { .taskRemoved(id: $0.id) }
            }
        }
        plan.add(events, reconciler: "reaper", chunk: 500)
    }
}
