import Metrics

/// The WAL's instruments (swift-metrics; Prometheus names). Created on first use, after
/// the daemon has chosen its metrics backend.
enum WALMetrics {
    /// Each `fdatasync` of a segment: what every etcd dashboard plots.
    static let fsync = Timer(label: "colmeia_wal_fsync_duration_seconds")
    /// Each write of a batch of records (before its fsync).
    static let append = Timer(label: "colmeia_wal_append_duration_seconds")
}
