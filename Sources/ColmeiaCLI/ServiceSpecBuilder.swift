import ColmeiaModel
import Foundation

/// Turns `service create`/`update` flags into a `ServiceSpec`, checking every value before
/// anything is sent (docker's wording: `invalid argument "x" for "--flag" flag: …`).
public enum ServiceSpecBuilder {
    /// Go duration text → nanoseconds.
    public static func duration(_ text: String?, flag: String) throws(CLIError) -> Int64? {
        guard let text else { return nil }
        guard let value = GoDuration.parse(text) else {
            throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: time: invalid duration \"\(text)\"")
        }
        guard value >= 0 else { throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: duration must not be negative") }
        return value
    }

    /// `1.5` CPUs → nano CPUs.
    public static func cpus(_ text: String?, flag: String) throws(CLIError) -> Int64? {
        guard let text else { return nil }
        guard let value = Double(text), value >= 0 else {
            throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: failed to parse \(text) as a rational number")
        }
        return Int64((value * 1e9).rounded())
    }

    public static func memory(_ text: String?, flag: String) throws(CLIError) -> Int64? {
        guard let text else { return nil }
        guard let value = ByteSize.parse(text) else {
            throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: invalid size: '\(text)'")
        }
        return value
    }

    /// `replicated`, `global`, `replicated-job`, `global-job`.
    public static func mode(_ text: String, replicas: UInt64?, maxConcurrent: UInt64? = nil) throws(CLIError) -> ServiceMode {
        if maxConcurrent != nil && text != "replicated-job" {
            throw CLIError("max-concurrent can only be used with replicated-job mode")
        }
        switch text {
        case "replicated": return ServiceMode(replicated: .init(replicas: Int64(replicas ?? 1)))
        case "global":
            guard replicas == nil else { throw CLIError("replicas can only be used with replicated or replicated-job mode") }
            return ServiceMode(global: .init())
        case "replicated-job":
            // As docker: MaxConcurrent defaults to --replicas; without either, 1 and 1.
            return ServiceMode(replicatedJob: .init(maxConcurrent: Int64(maxConcurrent ?? replicas ?? 1),
                                                    totalCompletions: Int64(replicas ?? 1)))
        case "global-job":
            guard replicas == nil else { throw CLIError("replicas can only be used with replicated or replicated-job mode") }
            return ServiceMode(globalJob: .init())
        default:
            throw CLIError("invalid argument \"\(text)\" for \"--mode\" flag: must be one of replicated, global, replicated-job, global-job")
        }
    }

    /// Checks constraints with SwarmKit's rules.
    public static func constraints(_ list: [String], flag: String = "constraint") throws(CLIError) -> [String] {
        for expression in list {
            do {
                _ = try PlacementConstraint(parsing: expression)
            } catch {
                throw CLIError("invalid argument \"\(expression)\" for \"--\(flag)\" flag: \(error.message)")
            }
        }
        return list
    }

    /// `spread=node.labels.zone`.
    public static func placementPreference(_ text: String, flag: String = "placement-pref") throws(CLIError) -> PlacementPreference {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else {
            throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: placement preference must be of the format \"<strategy>=<arg>\"")
        }
        guard parts[0] == "spread" else {
            throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: unsupported placement preference \(parts[0]) (only spread is supported)")
        }
        return PlacementPreference(spread: .init(spreadDescriptor: parts[1]))
    }

    /// `KEY=value` pairs (a bare `KEY` means an empty value).
    public static func labels(_ list: [String]) -> [String: String] {
        var labels: [String: String] = [:]
        for entry in list {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            labels[parts[0]] = parts.count == 2 ? parts[1] : ""
        }
        return labels
    }

    /// `KEY=value`, or `KEY` taken from the environment (dropped when unset), as docker does.
    public static func environment(_ list: [String], from environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> [String] {
        var result: [String] = []
        for entry in list {
            if entry.hasPrefix("=") { throw CLIError("invalid argument \"\(entry)\" for \"-e, --env\" flag: variable name is missing") }
            if entry.contains("=") {
                result.append(entry)
            } else if let value = environment[entry] {
                result.append(entry + "=" + value)
            }
        }
        return result
    }

    static func failureAction(_ text: String?, flag: String, allowed: [String]) throws(CLIError) -> FailureAction? {
        guard let text else { return nil }
        guard allowed.contains(text) else {
            throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: must be one of \(allowed.joined(separator: ", "))")
        }
        return FailureAction(rawValue: text)
    }

    static func order(_ text: String?, flag: String) throws(CLIError) -> UpdateOrder? {
        guard let text else { return nil }
        guard ["start-first", "stop-first"].contains(text) else {
            throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: must be one of start-first, stop-first")
        }
        return UpdateOrder(rawValue: text)
    }

    static func ratio(_ value: Double?, flag: String) throws(CLIError) -> Double? {
        guard let value else { return nil }
        guard (0...1).contains(value) else { throw CLIError("invalid argument \"\(value)\" for \"--\(flag)\" flag: must be between 0 and 1") }
        return value
    }

    /// Applies the shared flags that were given; `creating` fills docker's defaults for the
    /// policies a new service gets.
    public static func apply(_ options: ServicePolicyOptions, to spec: inout ServiceSpec) throws(CLIError) {
        // Update policy.
        let updateGiven = options.updateParallelism != nil || options.updateDelay != nil || options.updateFailureAction != nil
            || options.updateMonitor != nil || options.updateMaxFailureRatio != nil || options.updateOrder != nil
        if updateGiven {
            var update = spec.updateConfig ?? UpdateConfig(parallelism: 1, failureAction: .pause, order: .stopFirst)
            if let value = options.updateParallelism { update.parallelism = value }
            if let value = try duration(options.updateDelay, flag: "update-delay") { update.delay = value }
            if let value = try failureAction(options.updateFailureAction, flag: "update-failure-action", allowed: ["pause", "continue", "rollback"]) {
                update.failureAction = value
            }
            if let value = try duration(options.updateMonitor, flag: "update-monitor") { update.monitor = value }
            if let value = try ratio(options.updateMaxFailureRatio, flag: "update-max-failure-ratio") { update.maxFailureRatio = value }
            if let value = try order(options.updateOrder, flag: "update-order") { update.order = value }
            spec.updateConfig = update
        }
        let rollbackGiven = options.rollbackParallelism != nil || options.rollbackDelay != nil || options.rollbackFailureAction != nil
            || options.rollbackMonitor != nil || options.rollbackMaxFailureRatio != nil || options.rollbackOrder != nil
        if rollbackGiven {
            var rollback = spec.rollbackConfig ?? UpdateConfig(parallelism: 1, failureAction: .pause, order: .stopFirst)
            if let value = options.rollbackParallelism { rollback.parallelism = value }
            if let value = try duration(options.rollbackDelay, flag: "rollback-delay") { rollback.delay = value }
            if let value = try failureAction(options.rollbackFailureAction, flag: "rollback-failure-action", allowed: ["pause", "continue"]) {
                rollback.failureAction = value
            }
            if let value = try duration(options.rollbackMonitor, flag: "rollback-monitor") { rollback.monitor = value }
            if let value = try ratio(options.rollbackMaxFailureRatio, flag: "rollback-max-failure-ratio") { rollback.maxFailureRatio = value }
            if let value = try order(options.rollbackOrder, flag: "rollback-order") { rollback.order = value }
            spec.rollbackConfig = rollback
        }

        // Restart policy.
        if options.restartCondition != nil || options.restartDelay != nil || options.restartMaxAttempts != nil || options.restartWindow != nil {
            var restart = spec.taskTemplate.restartPolicy ?? RestartPolicy(condition: .any)
            if let text = options.restartCondition {
                guard ["none", "on-failure", "any"].contains(text) else {
                    throw CLIError("invalid argument \"\(text)\" for \"--restart-condition\" flag: must be one of none, on-failure, any")
                }
                restart.condition = RestartCondition(rawValue: text)
            }
            if let value = try duration(options.restartDelay, flag: "restart-delay") { restart.delay = value }
            if let value = options.restartMaxAttempts {
                guard value >= 0 else { throw CLIError("invalid argument \"\(value)\" for \"--restart-max-attempts\" flag: must not be negative") }
                restart.maxAttempts = value
            }
            if let value = try duration(options.restartWindow, flag: "restart-window") { restart.window = value }
            spec.taskTemplate.restartPolicy = restart
        }

        // Resources.
        let limitCPU = try cpus(options.limitCPU, flag: "limit-cpu")
        let limitMemory = try memory(options.limitMemory, flag: "limit-memory")
        let reserveCPU = try cpus(options.reserveCPU, flag: "reserve-cpu")
        let reserveMemory = try memory(options.reserveMemory, flag: "reserve-memory")
        if limitCPU != nil || limitMemory != nil || options.limitPids != nil || reserveCPU != nil || reserveMemory != nil {
            var resources = spec.taskTemplate.resources ?? ResourceRequirements()
            if limitCPU != nil || limitMemory != nil || options.limitPids != nil {
                var limits = resources.limits ?? Limit()
                if let limitCPU { limits.nanoCPUs = limitCPU }
                if let limitMemory { limits.memoryBytes = limitMemory }
                if let pids = options.limitPids { limits.pids = pids }
                resources.limits = limits
            }
            if reserveCPU != nil || reserveMemory != nil {
                var reservations = resources.reservations ?? Resources()
                if let reserveCPU { reservations.nanoCPUs = reserveCPU }
                if let reserveMemory { reservations.memoryBytes = reserveMemory }
                resources.reservations = reservations
            }
            spec.taskTemplate.resources = resources
        }

        // Container details.
        var container = spec.taskTemplate.containerSpec ?? ContainerSpec()
        if options.noHealthcheck {
            guard options.healthCmd == nil else { throw CLIError("--no-healthcheck conflicts with --health-* options") }
            container.healthcheck = HealthConfig(test: ["NONE"])
        } else if options.healthCmd != nil || options.healthInterval != nil || options.healthTimeout != nil
            || options.healthRetries != nil || options.healthStartPeriod != nil {
            var health = container.healthcheck ?? HealthConfig()
            if let command = options.healthCmd { health.test = command.isEmpty ? [] : ["CMD-SHELL", command] }
            if let value = try duration(options.healthInterval, flag: "health-interval") { health.interval = value }
            if let value = try duration(options.healthTimeout, flag: "health-timeout") { health.timeout = value }
            if let value = try duration(options.healthStartPeriod, flag: "health-start-period") { health.startPeriod = value }
            if let value = options.healthRetries { health.retries = value }
            container.healthcheck = health
        }
        if let value = try duration(options.stopGracePeriod, flag: "stop-grace-period") { container.stopGracePeriod = value }
        if let value = options.stopSignal { container.stopSignal = value }
        if let value = options.workdir { container.dir = value }
        if let value = options.user { container.user = value }
        if let value = options.hostname { container.hostname = value }
        if let value = options.entrypoint { container.command = value.split(separator: " ").map(String.init) }
        spec.taskTemplate.containerSpec = container

        if let value = options.replicasMaxPerNode {
            var placement = spec.taskTemplate.placement ?? Placement()
            placement.maxReplicas = value
            spec.taskTemplate.placement = placement
        }
    }
}
