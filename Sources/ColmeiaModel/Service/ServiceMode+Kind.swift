extension ServiceMode {
    /// The mode as one choice, with Docker's defaults applied.
    public enum Kind: Sendable, Hashable {
        case replicated(replicas: Int64)
        case global
        case replicatedJob(maxConcurrent: Int64, totalCompletions: Int64)
        case globalJob

        /// Whether tasks run to completion instead of forever.
        public var isJob: Bool {
            switch self {
            case .replicatedJob, .globalJob: true
            case .replicated, .global: false
            }
        }
    }

    /// A replicated mode with `replicas` tasks.
    public static func replicated(_ replicas: Int64) -> ServiceMode {
        ServiceMode(replicated: Replicated(replicas: replicas))
    }

    /// A global mode: one task per eligible node.
    public static var global: ServiceMode { ServiceMode(global: Global()) }

    /// How many of the four members are set.
    public var setCount: Int {
        [replicated != nil, global != nil, replicatedJob != nil, globalJob != nil].filter { $0 }.count
    }

    /// The mode dockerd derives from this one: nothing set means one replica, a replicated
    /// job without `MaxConcurrent` runs one at a time and `TotalCompletions` defaults to
    /// `MaxConcurrent`. `nil` when more than one member is set.
    public var kind: Kind? {
        guard setCount <= 1 else { return nil }
        if global != nil { return .global }
        if globalJob != nil { return .globalJob }
        if let job = replicatedJob {
            let concurrent = job.maxConcurrent ?? 1
            return .replicatedJob(
                maxConcurrent: concurrent, totalCompletions: job.totalCompletions ?? concurrent)
        }
        return .replicated(replicas: replicated?.replicas ?? 1)
    }

    /// Whether this is a job mode (`ReplicatedJob` or `GlobalJob`).
    public var isJob: Bool { replicatedJob != nil || globalJob != nil }

    /// This mode with dockerd's defaults written out (as `docker service inspect` shows it).
    /// Unchanged when more than one member is set.
    public var normalized: ServiceMode {
        var result = self
        switch kind {
        case .replicated(let replicas):
            result.replicated = Replicated(replicas: replicas, extra: replicated?.extra ?? [:])
        case .replicatedJob(let maxConcurrent, let totalCompletions):
            result.replicatedJob = ReplicatedJob(
                maxConcurrent: maxConcurrent, totalCompletions: totalCompletions,
                extra: replicatedJob?.extra ?? [:])
        case .global, .globalJob, nil:
            break
        }
        return result
    }
}
