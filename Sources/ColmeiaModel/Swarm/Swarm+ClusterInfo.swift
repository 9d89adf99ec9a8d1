extension Swarm {
    /// The cluster as `GET /info` shows it (no join tokens).
    public var clusterInfo: ClusterInfo {
        ClusterInfo(
            id: id, version: version, createdAt: createdAt, updatedAt: updatedAt, spec: spec,
            tlsInfo: tlsInfo, rootRotationInProgress: rootRotationInProgress,
            defaultAddrPool: defaultAddrPool, subnetSize: subnetSize, dataPathPort: dataPathPort,
            extra: extra)
    }
}
