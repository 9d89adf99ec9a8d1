import ColmeiaBackup
import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation

extension ClusterManager {
    /// What an online backup is made from: a consistent cut of this manager's log (its
    /// newest snapshot and every committed entry after it, read in one turn of the Raft
    /// thread while writes go on) and the passphrase that seals it.
    package struct BackupSource: Sendable {
        package var export: LogExport
        package var clusterID: String
        package var passphrase: String
        package var sealedWith: String
    }

    /// `passphrase` nil: the swarm's unlock key, when autolock is on; otherwise refused,
    /// because a backup is always encrypted. With `through` (`--follow N`), the cut waits
    /// until index N is committed (at most `followLimit`), so the backup holds it.
    package func backupSource(passphrase: String?, through: UInt64? = nil,
                              followLimit: Duration = .seconds(300)) async throws -> BackupSource {
        let (node, _) = try active()
        guard let swarm = try node.store.list(Swarm.self).first else {
            throw DockerAPIError(.serviceUnavailable, "This node is not part of a swarm")
        }
        let secret: (String, String)
        if let passphrase, !passphrase.isEmpty {
            secret = (passphrase, "passphrase")
        } else if let unlock = swarm.unlockKey, !unlock.isEmpty {
            secret = (unlock, "unlock key")
        } else {
            throw DockerAPIError.badRequest(
                "a backup is encrypted: give a passphrase (colmeia swarm backup --passphrase-file FILE, or the X-Colmeia-Backup-Passphrase header), or turn on autolock to seal it with the unlock key")
        }
        if let through {
            // Applied implies committed: the store's change feed wakes the wait.
            let store = node.store
            let reached = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    while store.applied.index < through && !Task.isCancelled {
                        _ = await store.waitForApply(after: store.applied.index)
                    }
                    return store.applied.index >= through
                }
                group.addTask {
                    try? await Task.sleep(for: followLimit)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            guard reached else {
                throw DockerAPIError(.serviceUnavailable,
                                     "index \(through) was not committed within \(followLimit); the log is at \(node.status.commitIndex)")
            }
        }
        guard let export = await node.exportLog() else {
            throw DockerAPIError(.serviceUnavailable, "this manager is stopping: try another manager")
        }
        return BackupSource(export: export, clusterID: swarm.id, passphrase: secret.0, sealedWith: secret.1)
    }
}

extension ClusterManager {
    /// On the leader, every `--backup-interval`: a backup into `--backup-dir`, written off
    /// the upkeep loop (a large log takes a while), one at a time. The first is taken one
    /// interval after this manager starts leading.
    func startScheduledBackupIfDue() {
        guard let schedule = backupSchedule, !scheduledBackupRunning else { return }
        let now = ContinuousClock.now
        guard let last = lastScheduledBackup else {
            lastScheduledBackup = now
            return
        }
        guard now - last >= schedule.interval else { return }
        lastScheduledBackup = now
        scheduledBackupRunning = true
        Task {
            await self.writeScheduledBackup(schedule)
            self.scheduledBackupRunning = false
        }
    }

    private func writeScheduledBackup(_ schedule: BackupSchedule) async {
        let envelope = CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .reconciler, id: "backup-scheduler"))
        var record = BackupRecord(file: "", scheduled: true, firstIndex: 0, lastIndex: 0, bytes: 0)
        do {
            let source = try await backupSource(passphrase: schedule.passphrase)
            let started = ContinuousClock.now
            let (path, manifest) = try await schedule.write(source.export, clusterID: source.clusterID, colmeiaVersion: ColmeiaVersion.engine,
                                                            passphrase: source.passphrase, sealedWith: source.sealedWith)
            let bytes = manifest.parts.reduce(0) { $0 + $1.storedBytes }
            record = BackupRecord(file: (path as NSString).lastPathComponent, scheduled: true, firstIndex: manifest.base.index,
                                  lastIndex: manifest.last.index, bytes: bytes)
            logger.notice("scheduled backup written", metadata: [
                "path": "\(path)", "first": "\(manifest.base.index)", "last": "\(manifest.last.index)",
                "bytes": "\(bytes)", "seconds": "\(ContinuousClock.now - started)"])
        } catch {
            record.file = schedule.directory
            record.error = "\(error)"
            logger.error("scheduled backup failed", metadata: ["directory": "\(schedule.directory)", "error": "\(error)"])
        }
        await recordBackup(record, envelope: envelope)
    }

    /// A backup's outcome in the audit trail (`backup.written` / `backup.failed`), with who
    /// took it. Best effort: a backup written is not undone because its record was not.
    package func recordBackup(_ record: BackupRecord, envelope: CommandEnvelope) async {
        guard let node else { return }
        do {
            _ = try await node.propose(ClusterCommand(envelope: envelope, events: [.backup(record)]))
        } catch {
            logger.warning("could not record a backup in the audit trail", metadata: ["error": "\(error)"])
        }
    }
}
