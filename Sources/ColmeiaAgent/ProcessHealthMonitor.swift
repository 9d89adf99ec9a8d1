import ColmeiaModel
import Foundation

/// A process task's healthcheck, run by the executor as Docker runs a container's: the
/// probe (`CMD` or `CMD-SHELL`) every interval (every start interval during the start
/// period), killed after its timeout; `starting` until the first success; `unhealthy`
/// after `retries` failures in a row (failures in the start period count only once a
/// probe has succeeded).
actor ProcessHealthMonitor {
    enum Verdict: Sendable {
        case healthy
        case unhealthy
        case exited
    }

    enum Status: Sendable {
        case starting
        case healthy
        case unhealthy
    }

    /// A healthcheck with Docker's defaults filled in; nil for `NONE` or an empty test.
    struct Probe: Sendable {
        var command: [String]
        var interval: Duration
        var timeout: Duration
        var startPeriod: Duration
        var startInterval: Duration
        var retries: Int

        init?(_ config: HealthConfig) {
            guard let kind = config.test.first else { return nil }
            switch kind {
            case "CMD" where config.test.count > 1: command = Array(config.test.dropFirst())
            case "CMD-SHELL" where config.test.count > 1: command = ["/bin/sh", "-c", config.test.dropFirst().joined(separator: " ")]
            default: return nil
            }
            // Docker's defaults: 30 s interval and timeout, 3 retries, 5 s start interval.
            interval = .nanoseconds(config.interval > 0 ? config.interval : 30_000_000_000)
            timeout = .nanoseconds(config.timeout > 0 ? config.timeout : 30_000_000_000)
            startPeriod = .nanoseconds(max(0, config.startPeriod))
            startInterval = .nanoseconds(config.startInterval > 0 ? config.startInterval : 5_000_000_000)
            retries = config.retries > 0 ? config.retries : 3
        }
    }

    private let probe: Probe
    private let template: GuardedProcess.Request
    private let cgroups: ProcessCgroups
    private let taskID: String
    private(set) var status = Status.starting
    private var failingStreak = 0
    private var loop: Task<Void, Never>?
    private var stopped = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(probe: Probe, template: GuardedProcess.Request, cgroups: ProcessCgroups, taskID: String) {
        self.probe = probe
        self.template = template
        self.cgroups = cgroups
        self.taskID = taskID
    }

    /// Starts probing.
    func start() {
        guard loop == nil, !stopped else { return }
        loop = Task { await self.run() }
    }

    /// Stops probing (the task is being stopped or removed).
    func stop() {
        stopped = true
        loop?.cancel()
        loop = nil
        wakeAll()
    }

    /// The first `healthy` or `unhealthy`, or the task's exit, whichever comes first.
    func firstVerdict(orExit exit: Task<Int, Never>) async -> Verdict {
        await firstOf([
            { @Sendable in
                _ = await exit.value
                return Verdict.exited
            },
            { @Sendable in
                switch await self.settled() {
                case .healthy: .healthy
                case .unhealthy: .unhealthy
                case .starting: .exited
                }
            },
        ])
    }

    /// The status once it is no longer `starting` (or when cancelled or stopped).
    private func settled() async -> Status {
        // Checked and waited for within the actor: no change can slip in between.
        while !Task.isCancelled && status == .starting && loop != nil { await nextChange() }
        return status
    }

    /// Returns true once the task is unhealthy (false when probing stops first).
    func waitUnhealthy() async -> Bool {
        while !Task.isCancelled && status != .unhealthy && loop != nil { await nextChange() }
        return status == .unhealthy
    }

    private func nextChange() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { waiters.append(continuation) }
            }
        } onCancel: {
            Task { await self.wakeAllNow() }
        }
    }

    private func wakeAllNow() { wakeAll() }

    private func wakeAll() {
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }

    private func run() async {
        let started = ContinuousClock.now
        var everHealthy = false
        while !Task.isCancelled {
            let inStartPeriod = ContinuousClock.now - started < probe.startPeriod
            try? await Task.sleep(for: inStartPeriod && !everHealthy ? probe.startInterval : probe.interval)
            guard !Task.isCancelled else { return }
            let passed = await runProbe()
            guard !Task.isCancelled else { return }
            if passed {
                everHealthy = true
                failingStreak = 0
                if status != .healthy { status = .healthy; wakeAll() }
                continue
            }
            // In the start period a failure counts only once the task has been healthy.
            if ContinuousClock.now - started < probe.startPeriod && !everHealthy { continue }
            failingStreak += 1
            if failingStreak >= probe.retries && status != .unhealthy {
                status = .unhealthy
                wakeAll()
            }
        }
    }

    /// One run of the probe as the task's user, in its cgroups; a probe past its timeout
    /// is killed and fails.
    private func runProbe() async -> Bool {
        var request = template
        guard let name = probe.command.first,
              let executable = try? ProcessExecutor.executable(name, path: template.environment["PATH"] ?? ProcessExecutor.defaultPath)
        else { return false }
        request.executable = executable
        request.arguments = Array(probe.command.dropFirst())
        let files = cgroups.join(taskID: taskID)
        defer { for fd in files { close(fd) } }
        request.cgroupProcs = files
        guard let process = try? await GuardedProcess.spawn(request) else { return false }
        let timeout = probe.timeout
        return await withTaskGroup(of: Int?.self) { group in
            group.addTask { await process.exitCode() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil {
                process.signal(SIGKILL)
            }
            group.cancelAll()
            let code = first ?? nil
            // Reap the probe after a kill.
            if code == nil { _ = await group.next() }
            return code == 0
        }
    }
}
