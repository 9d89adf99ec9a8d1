extension SwarmSpec {
    /// This spec with dockerd's defaults in every setting the client left at zero, as
    /// `docker swarm init` expects to see them in `docker info`.
    public func withDockerDefaults() -> SwarmSpec {
        var spec = self
        if spec.orchestration.taskHistoryRetentionLimit == nil { spec.orchestration.taskHistoryRetentionLimit = 5 }
        if spec.raft.snapshotInterval == 0 { spec.raft.snapshotInterval = 10_000 }
        if spec.raft.keepOldSnapshots == nil { spec.raft.keepOldSnapshots = 0 }
        if spec.raft.logEntriesForSlowFollowers == 0 { spec.raft.logEntriesForSlowFollowers = 500 }
        if spec.raft.electionTick == 0 { spec.raft.electionTick = 10 }
        if spec.raft.heartbeatTick == 0 { spec.raft.heartbeatTick = 1 }
        if spec.dispatcher.heartbeatPeriod == 0 { spec.dispatcher.heartbeatPeriod = 5_000_000_000 }
        if spec.caConfig.nodeCertExpiry == 0 { spec.caConfig.nodeCertExpiry = 90 * 24 * 3_600 * 1_000_000_000 }
        return spec
    }
}
