import ColmeiaModel

/// Follows each webhook deploy through its service's rolling update to an outcome, and
/// queues the notifications that outcome (or a node going down, a service that cannot be
/// scheduled) is owed. Pure, like the rest of a reconcile pass: the outcome is read from the
/// service's `UpdateStatus` and tasks, so a new leader picks up where the old one stopped.
public enum DeployTracker {
    /// Commands for this pass: deploys whose state changed (with their notifications) and
    /// pending notices.
    public static func plan(_ view: ClusterView, now: Timestamp, newID: () -> String) -> [PlannedCommand] {
        let subscriptions = Array(view.subscriptions.values)
        var commands: [PlannedCommand] = []
        for id in view.deploys.keys.sorted() {
            guard let deploy = view.deploys[id] else { continue }
            let service = view.services[deploy.serviceID]
            guard let next = evaluate(deploy, service: service, tasks: service.map { view.tasks(ofService: $0.id) } ?? [], now: now),
                  next != deploy else { continue }
            var events: [ClusterEvent] = [.deployUpdated(next)]
            if next.state.isFinal {
                events += PendingNotice.deployEnded(next, time: now).deliveries(to: subscriptions, newID: newID)
            }
            commands.append(PlannedCommand(reconciler: "deploy-tracker",
                                           preconditions: [.objectVersion(kind: .deploy, id: deploy.id, index: deploy.version.index)],
                                           events: events))
        }
        for notice in view.notices {
            let events = notice.deliveries(to: subscriptions, newID: newID)
            guard !events.isEmpty else { continue }
            commands.append(PlannedCommand(reconciler: "notifier", preconditions: [], events: events))
        }
        return commands
    }

    /// The deploy as its service now says it is (nil: nothing to say yet).
    public static func evaluate(_ deploy: Deploy, service: Service?, tasks: [SwarmTask], now: Timestamp) -> Deploy? {
        var next = deploy
        guard let service else {
            return finish(next, .failed, "service \(deploy.serviceName) was removed before the deploy finished", now)
        }
        next.progress = progress(of: deploy, tasks: tasks)
        let status = service.updateStatus
        let current = matches(service.spec, deploy)
        let rolledBackFrom = service.previousSpec.map { matches($0, deploy) } ?? false
        let failure = failedTaskError(of: deploy, tasks: tasks)
        switch status?.state {
        case nil where current:
            // The updater starts only where a place is outdated: a service with no task, or
            // whose tasks already run this template, is done as it is.
            let wanted = tasks.filter { $0.desiredState <= .running }
            if wanted.allSatisfy({ runsDeploy($0, deploy) && $0.status.state == .running }) && !service.spec.mode.isJob {
                return finish(next, .completed, wanted.isEmpty ? "update completed (no tasks to update)" : "update completed", now)
            }
            next.state = .updating
        case UpdateState.updating? where current:
            next.state = .updating
            next.message = status?.message ?? ""
        case UpdateState.completed? where current:
            return finish(next, .completed, status?.message ?? "update completed", now)
        case UpdateState.paused? where current:
            return finish(next, .paused, joined(status?.message, failure), now)
        case UpdateState.rollbackStarted? where rolledBackFrom:
            next.state = .rollingBack
            next.message = joined(status?.message, failure)
        case UpdateState.rollbackCompleted? where rolledBackFrom:
            let reason = deploy.state == .rollingBack && !deploy.message.isEmpty ? deploy.message : joined("update rolled back", failure)
            return finish(next, .rolledBack, reason, now)
        case UpdateState.rollbackPaused? where rolledBackFrom:
            return finish(next, .failed, joined(status?.message, failure), now)
        default:
            return finish(next, .failed, "replaced by a later update of service \(service.spec.name) (version \(service.version.index))", now)
        }
        return next
    }

    /// Whether `spec` is the one this deploy rolled out (its whole task template: a later
    /// `--env-add` is another update, not this one).
    static func matches(_ spec: ServiceSpec, _ deploy: Deploy) -> Bool {
        deploy.rolledOut(spec.taskTemplate)
    }

    /// Places (slots, or nodes of a global service) whose live task runs the deploy's image.
    static func progress(of deploy: Deploy, tasks: [SwarmTask]) -> Deploy.Progress {
        let wanted = tasks.filter { $0.desiredState <= .running }
        let places = Dictionary(grouping: wanted) { $0.slot > 0 ? "slot \($0.slot)" : "node \($0.nodeID)" }
        var progress = Deploy.Progress(total: places.count)
        for (_, group) in places where group.contains(where: { runsDeploy($0, deploy) && $0.status.state == .running }) {
            progress.updated += 1
        }
        progress.failed = tasks.filter { runsDeploy($0, deploy) && ($0.status.state == .failed || $0.status.state == .rejected) }.count
        return progress
    }

    static func runsDeploy(_ task: SwarmTask, _ deploy: Deploy) -> Bool {
        deploy.rolledOut(task.spec)
    }

    /// The newest error of a task on the deploy's image: why the new image would not run.
    static func failedTaskError(of deploy: Deploy, tasks: [SwarmTask]) -> String? {
        tasks.filter { runsDeploy($0, deploy) && ($0.status.state == .failed || $0.status.state == .rejected) && !$0.status.err.isEmpty }
            .max { $0.status.timestamp < $1.status.timestamp }?.status.err
    }

    private static func joined(_ message: String?, _ detail: String?) -> String {
        [message, detail].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
    }

    private static func finish(_ deploy: Deploy, _ state: Deploy.State, _ message: String, _ now: Timestamp) -> Deploy {
        var deploy = deploy
        deploy.state = state
        deploy.message = message
        deploy.completedAt = now
        return deploy
    }
}
