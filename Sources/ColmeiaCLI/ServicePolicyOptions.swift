import ArgumentParser

/// The flags `service create` and `service update` share: update and rollback policy,
/// restart policy, resources, health check and placement preferences.
public struct ServicePolicyOptions: ParsableArguments {
    public init() {}

    @Option(name: .customLong("update-parallelism"), help: "Maximum number of tasks updated simultaneously (0 to update all at once)")
    var updateParallelism: UInt64?
    @Option(name: .customLong("update-delay"), help: "Delay between updates (ns|us|ms|s|m|h)")
    var updateDelay: String?
    @Option(name: .customLong("update-failure-action"), help: "Action on update failure (\"pause\", \"continue\", \"rollback\")")
    var updateFailureAction: String?
    @Option(name: .customLong("update-monitor"), help: "Duration after each task update to monitor for failure (ns|us|ms|s|m|h)")
    var updateMonitor: String?
    @Option(name: .customLong("update-max-failure-ratio"), help: "Failure rate to tolerate during an update")
    var updateMaxFailureRatio: Double?
    @Option(name: .customLong("update-order"), help: "Update order (\"start-first\", \"stop-first\")")
    var updateOrder: String?

    @Option(name: .customLong("rollback-parallelism"), help: "Maximum number of tasks rolled back simultaneously (0 to roll back all at once)")
    var rollbackParallelism: UInt64?
    @Option(name: .customLong("rollback-delay"), help: "Delay between task rollbacks (ns|us|ms|s|m|h)")
    var rollbackDelay: String?
    @Option(name: .customLong("rollback-failure-action"), help: "Action on rollback failure (\"pause\", \"continue\")")
    var rollbackFailureAction: String?
    @Option(name: .customLong("rollback-monitor"), help: "Duration after each task rollback to monitor for failure (ns|us|ms|s|m|h)")
    var rollbackMonitor: String?
    @Option(name: .customLong("rollback-max-failure-ratio"), help: "Failure rate to tolerate during a rollback")
    var rollbackMaxFailureRatio: Double?
    @Option(name: .customLong("rollback-order"), help: "Rollback order (\"start-first\", \"stop-first\")")
    var rollbackOrder: String?

    @Option(name: .customLong("restart-condition"), help: "Restart when condition is met (\"none\", \"on-failure\", \"any\")")
    var restartCondition: String?
    @Option(name: .customLong("restart-delay"), help: "Delay between restart attempts (ns|us|ms|s|m|h)")
    var restartDelay: String?
    @Option(name: .customLong("restart-max-attempts"), help: "Maximum number of restarts before giving up")
    var restartMaxAttempts: Int64?
    @Option(name: .customLong("restart-window"), help: "Window used to evaluate the restart policy (ns|us|ms|s|m|h)")
    var restartWindow: String?

    @Option(name: .customLong("limit-cpu"), help: "Limit CPUs")
    var limitCPU: String?
    @Option(name: .customLong("limit-memory"), help: "Limit Memory")
    var limitMemory: String?
    @Option(name: .customLong("limit-pids"), help: "Limit maximum number of processes (0 = unlimited)")
    var limitPids: Int64?
    @Option(name: .customLong("reserve-cpu"), help: "Reserve CPUs")
    var reserveCPU: String?
    @Option(name: .customLong("reserve-memory"), help: "Reserve Memory")
    var reserveMemory: String?

    @Option(name: .customLong("health-cmd"), help: "Command to run to check health")
    var healthCmd: String?
    @Option(name: .customLong("health-interval"), help: "Time between running the check (ms|s|m|h)")
    var healthInterval: String?
    @Option(name: .customLong("health-timeout"), help: "Maximum time to allow one check to run (ms|s|m|h)")
    var healthTimeout: String?
    @Option(name: .customLong("health-retries"), help: "Consecutive failures needed to report unhealthy")
    var healthRetries: Int?
    @Option(name: .customLong("health-start-period"), help: "Start period for the container to initialize before counting retries towards unstable (ms|s|m|h)")
    var healthStartPeriod: String?
    @Flag(name: .customLong("no-healthcheck"), help: "Disable any container-specified HEALTHCHECK")
    var noHealthcheck = false

    @Option(name: .customLong("replicas-max-per-node"), help: "Maximum number of tasks per node (default 0 = unlimited)")
    var replicasMaxPerNode: UInt64?
    @Option(name: .customLong("stop-grace-period"), help: "Time to wait before force killing a container (ns|us|ms|s|m|h)")
    var stopGracePeriod: String?
    @Option(name: .customLong("stop-signal"), help: "Signal to stop the container")
    var stopSignal: String?
    @Option(name: [.customShort("w"), .customLong("workdir")], help: "Working directory inside the container")
    var workdir: String?
    @Option(name: [.customShort("u"), .customLong("user")], help: "Username or UID (format: <name|uid>[:<group|gid>])")
    var user: String?
    @Option(name: .customLong("hostname"), help: "Container hostname")
    var hostname: String?
    @Option(name: .customLong("entrypoint"), help: "Overwrite the default ENTRYPOINT of the image")
    var entrypoint: String?
}
