import ColmeiaBackup
import ColmeiaModel
import ColmeiaNode
import ColmeiaPKI
import Foundation

extension ClusterManager {
    /// The record of a data directory written by `colmeia swarm restore` that has not
    /// become a swarm yet.
    var pendingRestore: RestoredSwarm? {
        identity == nil ? RestoredSwarm.read(dataDirectory: dataDirectory) : nil
    }

    /// `docker swarm init --force-new-cluster` on a restored data directory: the backup's
    /// state with this node as its only manager, under a new node identity whose certificate
    /// the swarm's own CA issues, with fresh join tokens (workers of the old swarm rejoin
    /// with the new worker token). The old managers stay listed, no longer leading or
    /// reachable, as after Docker's `--force-new-cluster`.
    func initializeFromRestore(_ restored: RestoredSwarm, _ request: SwarmInitRequest) async throws -> String {
        initializing = true
        defer { initializing = false }
        guard let dataKey = try ManagerKeyFiles.dataKey(dataDirectory, unlockKey: nil) else {
            throw DockerAPIError(.internalServerError, "the restored data directory has no data key (certificates/raft-dek)")
        }
        let authority: (certificatePEM: String, keyPEM: String)
        do {
            authority = try restored.authority(dataKey: dataKey)
        } catch {
            throw DockerAPIError(.internalServerError, error.description)
        }
        var random = SystemRandomNumberGenerator()
        let nodeID = ObjectID.generate(using: &random)
        let raftID = UInt64.random(in: 1...UInt64(Int64.max), using: &random)
        let listen = try Self.listenAddress(request.listenAddr, default: defaultListenAddress)
        let advertise = try Self.advertiseAddress(request.advertiseAddr, listen: listen)
        let tls = try ClusterPKI.selfIssued(by: .init(certificatePEM: authority.certificatePEM, keyPEM: authority.keyPEM),
                                            nodeID: nodeID, role: "manager", clusterID: restored.clusterID)
        let port = try await ClusterPortServer.start(address: listen, tls: tls, credentials: credentials,
                                                     responder: ClusterPortRoutes(manager: self).responder(), logger: logger)
        let node: ClusterNode
        do {
            node = try Self.managerNode(dataDirectory: dataDirectory, raftID: raftID, tls: tls,
                                        addresses: [raftID: advertise], snapshotChunkBytes: snapshotChunkBytes, logger: logger)
            try node.start(bootstrap: false, forceNewCluster: true)
        } catch {
            await port.stop()
            throw error
        }
        do {
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while node.status.role != .leader && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            guard node.status.role == .leader else {
                throw DockerAPIError(.internalServerError, "the restored swarm did not elect this node in time")
            }
            guard var swarm = try node.store.list(Swarm.self).first else {
                throw DockerAPIError(.internalServerError, "the restored state holds no swarm")
            }
            let version = swarm.version.index
            swarm.joinTokens = JoinTokens(worker: ClusterPKI.joinToken(for: swarm.tlsInfo.trustRoot),
                                          manager: ClusterPKI.joinToken(for: swarm.tlsInfo.trustRoot))
            let identity = NodeIdentity(nodeID: nodeID, raftID: raftID, advertiseAddress: advertise,
                                        listenAddress: listen, role: "manager")
            let me = try leadingManagerRecord(identity, tls: tls, swarm: swarm, request: request)
            var events: [ClusterEvent] = [.clusterUpdated(swarm), .nodeCreated(me)]
            for var old in try node.store.list(Node.self) where old.managerStatus != nil {
                old.managerStatus?.leader = false
                old.managerStatus?.reachability = "unreachable"
                events.append(.nodeUpdated(old))
            }
            let outcome = try await node.propose(ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .user, id: "swarm-init")),
                preconditions: [.objectVersion(kind: .cluster, id: swarm.id, index: version)],
                events: events))
            guard case .applied = outcome else {
                throw DockerAPIError(.internalServerError, "the restored swarm could not take this node: \(outcome)")
            }
            try ClusterCertificates.save(tls, to: dataDirectory)
            try identity.save(to: dataDirectory)
            RestoredSwarm.clear(dataDirectory: dataDirectory)
            self.node = node
            self.identity = identity
            self.tls = tls
            self.clusterPort = port
        } catch {
            await node.shutdown()
            await port.stop()
            throw error
        }
        logger.notice("started a new cluster from a restored backup",
                      metadata: ["node": "\(nodeID)", "cluster": "\(restored.clusterID)", "index": "\(restored.index)"])
        try await startServices()
        return nodeID
    }
}
