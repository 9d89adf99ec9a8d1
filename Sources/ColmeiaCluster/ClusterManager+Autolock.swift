import ColmeiaModel
import ColmeiaNode
import ColmeiaPKI
import Foundation

/// Autolock (`docker swarm init --autolock`, `docker swarm update --autolock`): while it is
/// on, the swarm holds an unlock key and every manager keeps its TLS key and Raft data key
/// sealed with it, so a manager that restarts stays locked until `docker swarm unlock`.
extension ClusterManager {
    package var isLocked: Bool { locked }

    /// `POST /swarm/unlock`: opens the key files with `text` and starts the node.
    package func unlock(_ text: String) async throws(DockerAPIError) {
        guard locked, let identity else { throw DockerAPIError(.badRequest, "swarm is not locked") }
        guard !initializing else { throw DockerAPIError(.serviceUnavailable, "the swarm is being unlocked; try again") }
        initializing = true
        defer { initializing = false }
        let key: UnlockKey
        do {
            key = try UnlockKey(parsing: text)
            (tls, node, workerTransport) = try Self.reopen(identity, dataDirectory: dataDirectory, unlockKey: key,
                                                           snapshotChunkBytes: snapshotChunkBytes, logger: logger)
        } catch let error as KeySealingError {
            throw DockerAPIError(.badRequest, error.description)
        } catch {
            throw DockerAPIError(.internalServerError, "could not unlock this manager: \(error)")
        }
        unlockKey = key
        locked = false
        logger.notice("unlocked", metadata: ["node": "\(identity.nodeID)"])
        try? await startServices()
    }

    /// `GET /swarm/unlockkey`: empty when autolock is off, as dockerd answers (the CLI then
    /// says "no unlock key is set").
    package func currentUnlockKey() async throws -> String {
        let store = try await readableStore()
        guard let swarm = try store.list(Swarm.self).first else { throw DockerAPIError.notManager }
        return swarm.spec.encryptionConfig.autoLockManagers ? swarm.unlockKey ?? "" : ""
    }

    /// The cluster object after `swarm update`: a key appears when autolock is turned on,
    /// goes when it is turned off, and is replaced on `rotateManagerUnlockKey`.
    package static func withUnlockKey(_ swarm: Swarm, rotate: Bool) -> Swarm {
        var swarm = swarm
        if !swarm.spec.encryptionConfig.autoLockManagers {
            swarm.unlockKey = nil
        } else if swarm.unlockKey == nil || rotate {
            swarm.unlockKey = UnlockKey().description
        }
        return swarm
    }

    /// Keeps this manager's key files sealed with the swarm's current unlock key, or in the
    /// clear when autolock is off (run by every manager's upkeep).
    func followAutolock(_ node: ClusterNode) {
        guard let tls, let swarm = try? node.store.list(Swarm.self).first else { return }
        let wanted = swarm.spec.encryptionConfig.autoLockManagers ? swarm.unlockKey.flatMap { try? UnlockKey(parsing: $0) } : nil
        guard wanted != unlockKey else { return }
        do {
            var files: [(name: String, bytes: [UInt8])] = [("swarm-node.key", Array(tls.keyPEM.utf8))]
            if let dataKey = node.dataKey { files.append((ManagerKeyFiles.dataKeyName, dataKey.bytes)) }
            try ManagerKeyFiles.reseal(files, dataDirectory, sealedWith: wanted)
            unlockKey = wanted
            logger.notice(wanted == nil ? "autolock is off: this manager's keys are stored in the clear"
                                        : "autolock: this manager's keys are sealed with the unlock key")
        } catch {
            logger.error("could not reseal this manager's keys", metadata: ["error": "\(error)"])
        }
    }
}
