import ColmeiaModel

/// The rolling-update state machine (SwarmKit's updater), evaluated afresh on every pass
/// from the service and its tasks, so a new leader continues an update where the old one
/// left it. Pure: the clock is an argument.
///
/// A place (slot or node) is *outdated* while its only wanted tasks run an older template,
/// *busy* while its new task is not yet running or ran for less than `Delay`, and *done*
/// when its new task has run for `Monitor`. Up to `Parallelism` places are busy at once.
public enum Updater {
    /// What the orchestrator should do for a service's update this pass.
    public struct Step: Sendable, Hashable {
        /// The update status to record, when it changes.
        public var status: UpdateStatus?
        /// Swap `Spec` and `PreviousSpec`: an automatic rollback begins.
        public var rollback = false
        /// Places to replace now, in order.
        public var replace: [TaskGroup] = []
        /// When to look again even if nothing changes (a delay or monitor period ends).
        public var wakeAt: Timestamp?
    }

    /// Docker's defaults for a service without `UpdateConfig` / `RollbackConfig`.
    public static let defaultConfig = UpdateConfig(parallelism: 1, delay: 0, failureAction: .pause,
                                                   monitor: 5_000_000_000, maxFailureRatio: 0, order: .stopFirst)

    public static func isRollback(_ status: UpdateStatus?) -> Bool {
        guard let state = status?.state else { return false }
        return state == .rollbackStarted || state == .rollbackPaused || state == .rollbackCompleted
    }

    /// The configuration that governs the service's current update or rollback.
    public static func config(for service: Service) -> UpdateConfig {
        let configured = isRollback(service.updateStatus) ? service.spec.rollbackConfig : service.spec.updateConfig
        guard var config = configured else { return defaultConfig }
        if config.failureAction.rawValue.isEmpty { config.failureAction = .pause }
        if config.order.rawValue.isEmpty { config.order = .stopFirst }
        return config
    }

    public static func evaluate(service: Service, groups: [TaskGroup], now: Timestamp) -> Step {
        let template = service.spec.taskTemplate
        let config = config(for: service)
        let state = service.updateStatus?.state
        let rollingBack = isRollback(service.updateStatus)
        var step = Step()

        var outdated: [TaskGroup] = []
        var busy = 0
        var settled = true
        for group in groups {
            let current = group.current(template)
            let old = group.outdated(template)
            if current.isEmpty {
                if !old.isEmpty { outdated.append(group) }
                continue
            }
            // A new task that ended (and awaits its restart) is not settled yet.
            if current.allSatisfy(\.hasEnded) { settled = false }
            for task in current where !task.hasEnded {
                if let since = task.runningSince {
                    let delayEnds = since.adding(nanoseconds: config.delay)
                    if delayEnds > now {
                        busy += 1
                        step.wakeAt = earliest(step.wakeAt, delayEnds)
                    }
                    let monitorEnds = since.adding(nanoseconds: config.monitor)
                    if monitorEnds > now {
                        settled = false
                        step.wakeAt = earliest(step.wakeAt, monitorEnds)
                    }
                } else {
                    busy += 1
                    settled = false
                }
                break
            }
            if !old.isEmpty { settled = false }
        }

        // Failures of the new tasks count only while an update or rollback is running.
        if state == .updating || state == .rollbackStarted,
           let failed = failure(in: groups, template: template, since: service.updateStatus?.startedAt ?? now, config: config) {
            switch config.failureAction {
            case .continue:
                break
            case .rollback where !rollingBack && service.previousSpec != nil:
                step.rollback = true
                step.status = UpdateStatus(state: .rollbackStarted, startedAt: now,
                                           message: "update rolled back due to failure or early termination of task \(failed)")
                return step
            default:
                step.status = UpdateStatus(state: rollingBack ? .rollbackPaused : .paused,
                                           startedAt: service.updateStatus?.startedAt,
                                           message: (rollingBack ? "rollback" : "update")
                                               + " paused due to failure or early termination of task \(failed)")
                return step
            }
        }

        // Nothing outdated: an update in progress completes once its tasks are stable.
        if outdated.isEmpty {
            if settled, state == .updating || state == .rollbackStarted {
                step.status = UpdateStatus(state: rollingBack ? .rollbackCompleted : .completed,
                                           startedAt: service.updateStatus?.startedAt, completedAt: now,
                                           message: rollingBack ? "rollback completed" : "update completed")
            }
            return step
        }

        switch state {
        case .paused?, .rollbackPaused?:
            return step
        case .updating?, .rollbackStarted?:
            break
        default:
            step.status = UpdateStatus(state: .updating, startedAt: now, message: "update in progress")
        }

        let room = config.parallelism == 0 ? outdated.count : max(0, Int(config.parallelism) - busy)
        step.replace = Array(outdated.prefix(room))
        return step
    }

    /// The newest task of this update that failed, if failures passed `MaxFailureRatio`.
    /// A task counts when it runs the new template, was created after the update began,
    /// and ended badly before it ran or within `Monitor` of when it started running (not
    /// of its creation: a long image pull does not use up the monitor period).
    static func failure(in groups: [TaskGroup], template: TaskSpec, since start: Timestamp,
                        config: UpdateConfig) -> String? {
        var failed: [SwarmTask] = []
        for group in groups {
            for task in group.tasks where task.runs(template) && task.createdAt >= start && task.hasEnded {
                guard task.status.state == .failed || task.status.state == .rejected else { continue }
                if config.monitor == 0 || Self.failedWithinMonitor(task, monitor: config.monitor) {
                    failed.append(task)
                }
            }
        }
        guard !failed.isEmpty, !groups.isEmpty else { return nil }
        guard Double(failed.count) / Double(groups.count) > config.maxFailureRatio else { return nil }
        return failed.max(by: ClusterView.olderFirst)?.id
    }

    /// Whether a task that ended badly did so before it ran, or within `monitor` of when
    /// it started running.
    static func failedWithinMonitor(_ task: SwarmTask, monitor: Int64) -> Bool {
        guard let started = task.startedRunningAt else { return true }
        return task.endedAt.nanoseconds(since: started) <= monitor
    }

    static func earliest(_ a: Timestamp?, _ b: Timestamp) -> Timestamp {
        guard let a else { return b }
        return min(a, b)
    }
}
