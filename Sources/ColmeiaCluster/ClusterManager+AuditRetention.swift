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
        Task.detached(priority: .background) {
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
            await self.finishAuditRetention()
        }
    }

    private func finishAuditRetention() {
        auditRetentionRunning = false
    }
}
