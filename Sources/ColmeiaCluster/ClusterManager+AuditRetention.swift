import ColmeiaNode
import ColmeiaStore
import Foundation

extension ClusterManager {
    /// Every manager, every few seconds: old audit records leave `state.db` for the archive
    /// (`--audit-retention-records`, `--audit-retention-age`), off the upkeep loop and one
    /// pass at a time. Each manager archives its own copy; the chain, and so its head, is
    /// the same on all of them.
    func startAuditRetentionIfDue(_ node: ClusterNode) {
        guard let policy = auditRetention, policy.isActive, !auditRetentionRunning else { return }
        let now = ContinuousClock.now
        if let last = lastAuditRetention, now - last < auditRetentionPeriod { return }
        lastAuditRetention = now
        auditRetentionRunning = true
        let store = node.store
        let logger = logger
        // Blocking SQLite and file work: a thread of its own, not the cooperative pool, where
        // a busy manager's API and apply would starve it (and it would block them).
        let thread = Thread {
            do {
                let run = try store.applyRetention(policy)
                if run.movedRecords > 0 {
                    logger.info("audit retention", metadata: [
                        "moved": "\(run.movedRecords)", "segments": "\(run.segmentsWritten)",
                        "through": "\(run.archivedThrough ?? 0)", "archived": "\(policy.archive)"])
                }
            } catch {
                logger.error("audit retention failed: \(error)")
            }
            Task { await self.finishAuditRetention() }
        }
        thread.name = "audit-retention"
        thread.start()
    }

    private func finishAuditRetention() {
        auditRetentionRunning = false
    }
}
