import ColmeiaModel
import ColmeiaNode
import ColmeiaPKI
import ColmeiaRaft
import ColmeiaStore
import Foundation

extension ClusterManager {
    /// Creates a swarm with this node as its only manager: the root CA and this node's
    /// certificate, the cluster object with join tokens bound to the CA, this node
    /// (manager, leader, ready) and the `ingress` network, in one command. The cluster
    /// port is bound first, so a taken port fails the init with nothing left behind.
    package func initialize(_ request: SwarmInitRequest) async throws -> String {
        if request.forceNewCluster == true, let identity, identity.isManager, !initializing {
            return try await forceNewCluster(identity, request)
        }
        if let restored = pendingRestore, !initializing {
            guard request.forceNewCluster == true else {
                throw DockerAPIError.badRequest(
                    "this data directory holds a swarm restored from a backup (index \(restored.index)): start it with `docker swarm init --force-new-cluster`")
            }
            return try await initializeFromRestore(restored, request)
        }
        guard identity == nil, !initializing else { throw DockerAPIError.alreadyInSwarm }
        initializing = true
        defer { initializing = false }
        var spec = try (request.spec ?? SwarmSpec()).validatedForInit().withDockerDefaults()
        if request.autoLockManagers == true { spec.encryptionConfig.autoLockManagers = true }
        var random = SystemRandomNumberGenerator()
        let nodeID = ObjectID.generate(using: &random)
        let clusterID = ObjectID.generate(using: &random)
        let listen = try Self.listenAddress(request.listenAddr, default: defaultListenAddress)
        let advertise = try Self.advertiseAddress(request.advertiseAddr, listen: listen)
        let raftID = UInt64.random(in: 1...UInt64(Int64.max), using: &random)
        let rootCA = try ClusterPKI.createRootCA(clusterID: clusterID)
        let tls = try ClusterPKI.selfIssued(by: rootCA, nodeID: nodeID, role: "manager", clusterID: clusterID)
        let now = Timestamp.now()
        let swarm = Swarm(id: clusterID, spec: spec,
                          tlsInfo: try Self.tlsInfo(of: ClusterRootCA(certificatePEM: rootCA.certificatePEM, keyPEM: nil)),
                          defaultAddrPool: request.defaultAddrPool ?? ["10.0.0.0/8"],
                          subnetSize: request.subnetSize ?? 24, dataPathPort: request.dataPathPort ?? 4789,
                          joinTokens: JoinTokens(worker: ClusterPKI.joinToken(for: rootCA.certificatePEM),
                                                 manager: ClusterPKI.joinToken(for: rootCA.certificatePEM)),
                          rootCAKey: rootCA.keyPEM,
                          unlockKey: spec.encryptionConfig.autoLockManagers ? UnlockKey().description : nil)
        let identity = NodeIdentity(nodeID: nodeID, raftID: raftID, advertiseAddress: advertise,
                                    listenAddress: listen, role: "manager")
        let me = try leadingManagerRecord(identity, tls: tls, swarm: swarm, request: request)
        var ingress = Network(
            request: NetworkCreateRequest(name: "ingress", driver: "overlay", ingress: true, labels: [:]),
            id: ObjectID.generate(using: &random), created: now)
        // The routing mesh's network takes the first block of the pool (10.0.0.0/24).
        do throws(ValidationError) {
            ingress.ipam.config = try NetworkAllocator.subnet(requested: [], pools: swarm.defaultAddrPool,
                                                              size: Int(swarm.subnetSize), existing: [])
        } catch {
            throw DockerAPIError(.badRequest, "invalid default address pool: \(error.message)")
        }
        let command = ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: now, actor: .init(kind: .user, id: "swarm-init")),
            events: [.clusterCreated(swarm), .nodeCreated(me), .networkCreated(ingress)])
        // A request that cannot make a valid command (say, an unknown Availability) must not
        // leave a node behind holding the WAL: check it before any node exists.
        try command.validate()
        let port = try await ClusterPortServer.start(address: listen, tls: tls, credentials: credentials,
                                                     responder: ClusterPortRoutes(manager: self).responder(), logger: logger)
        let node: ClusterNode
        do {
            node = try Self.managerNode(dataDirectory: dataDirectory, raftID: raftID, tls: tls,
                                        addresses: [raftID: advertise], snapshotChunkBytes: snapshotChunkBytes, logger: logger)
        } catch {
            await port.stop()
            throw error
        }
        do {
            try node.start(bootstrap: true)
        } catch {
            await node.shutdown()
            await port.stop()
            throw error
        }
        do {
            let outcome = try await node.propose(command)
            guard case .applied = outcome else {
                throw DockerAPIError(.internalServerError, "swarm init failed: \(outcome)")
            }
            try ClusterCertificates.save(tls, to: dataDirectory)
            try identity.save(to: dataDirectory)
        } catch {
            await node.shutdown()
            await port.stop()
            eraseSwarmState()
            throw error
        }
        self.node = node
        self.identity = identity
        self.tls = tls
        self.clusterPort = port
        logger.info("swarm initialized", metadata: ["node": "\(nodeID)", "cluster": "\(clusterID)"])
        try await startServices()
        return nodeID
    }

    /// The node record of a manager founding a swarm (or a new one from a backup): ready,
    /// leading, with this host's description (its data path's address included, as its
    /// agent will register it: the record does not move when the agent first registers)
    /// and its Raft member id.
    func leadingManagerRecord(_ identity: NodeIdentity, tls: ClusterTLS, swarm: Swarm, request: SwarmInitRequest) throws -> Node {
        let advertise = identity.advertiseAddress
        var description = localDescription
        description.clusterAddress = advertise
        if mesh != nil { description.dataPathAddress = dataPathAddresses(of: identity).advertised }
        description.tlsInfo = try Self.tlsInfo(ofChain: tls.certificateChainPEM, following: Self.trust(of: swarm))
        return Node(
            id: identity.nodeID,
            spec: NodeSpec(role: "manager", availability: NodeAvailability(rawValue: request.availability.flatMap { $0.isEmpty ? nil : $0 } ?? "active")),
            description: description,
            status: NodeStatus(state: "ready", addr: Self.host(of: advertise)),
            managerStatus: ManagerStatus(leader: true, reachability: "reachable", addr: advertise,
                                         extra: [Self.raftIDKey: .string(String(identity.raftID))]))
    }

    /// `docker swarm init --force-new-cluster` on a manager whose swarm lost its quorum (or
    /// a data directory restored from a copy): the same log, services, secrets, configs and
    /// nodes, with this node as the only Raft member. Other managers must join again.
    private func forceNewCluster(_ identity: NodeIdentity, _ request: SwarmInitRequest) async throws -> String {
        initializing = true
        defer { initializing = false }
        guard let tls else { throw DockerAPIError.notManager }
        await stopServices()
        await node?.shutdown()
        node = nil
        var identity = identity
        if let listen = request.listenAddr, !listen.isEmpty, !listen.hasPrefix("0.0.0.0") {
            identity.listenAddress = try Self.listenAddress(listen, default: defaultListenAddress)
        }
        if let advertise = request.advertiseAddr, !advertise.isEmpty {
            identity.advertiseAddress = try Self.advertiseAddress(advertise, listen: identity.clusterListenAddress)
        }
        let node = try Self.managerNode(dataDirectory: dataDirectory, raftID: identity.raftID, tls: tls,
                                        addresses: [identity.raftID: identity.advertiseAddress],
                                        unlockKey: unlockKey, snapshotChunkBytes: snapshotChunkBytes, logger: logger)
        try node.start(bootstrap: false, forceNewCluster: true)
        try identity.save(to: dataDirectory)
        self.node = node
        self.identity = identity
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while node.status.role != .leader && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard node.status.role == .leader else {
            throw DockerAPIError(.internalServerError, "the forced new cluster did not elect this node in time")
        }
        logger.notice("forced a new cluster from the existing state", metadata: ["node": "\(identity.nodeID)"])
        try await startServices()
        // This node's address may have changed with the data directory's new home.
        if let store = try? node.store.get(Node.self, identity.nodeID), var status = store.managerStatus,
           status.addr != identity.advertiseAddress {
            var record = store
            status.addr = identity.advertiseAddress
            record.managerStatus = status
            _ = try? await node.propose(ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .user, id: "swarm-init")),
                preconditions: [.objectVersion(kind: .node, id: record.id, index: record.version.index)],
                events: [.nodeUpdated(record)]))
        }
        return identity.nodeID
    }

    /// Leaves the swarm. A manager needs `force` (Docker's rule: leaving may cost the
    /// quorum, and the last manager takes the swarm's state with it); it first leaves the
    /// Raft membership when the others can still agree on that.
    package func leave(force: Bool) async throws {
        guard let identity else {
            throw DockerAPIError(.serviceUnavailable, "This node is not part of a swarm")
        }
        if locked && !force {
            throw DockerAPIError(.serviceUnavailable,
                                 "Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message.")
        }
        if let node {
            let voters = node.status.confState.voters
            let reachable = reachableManagers(of: node)
            if !force {
                var message = "You are attempting to leave the swarm on a node that is participating as a manager. "
                if voters.count <= 1 {
                    message += "Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message."
                } else {
                    message += "Removing this node leaves \(reachable - 1) managers out of \(voters.count). "
                    if reachable - 1 <= (voters.count - 1) / 2 {
                        message += "Without a Raft quorum your swarm will be inaccessible. "
                    }
                    message += "The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message."
                }
                throw DockerAPIError(.serviceUnavailable, message)
            }
            if voters.count > 1 {
                // Best effort: without a quorum the others keep us as an unreachable member.
                try? await node.changeMembership(ConfChange(.removeNode, nodeID: identity.raftID))
            }
        }
        roleTask?.cancel()
        roleTask = nil
        await stopServices(leaving: true)
        await node?.shutdown()
        await workerTransport?.shutdown()
        node = nil
        workerTransport = nil
        self.identity = nil
        tls = nil
        locked = false
        unlockKey = nil
        eraseSwarmState()
        logger.info("left the swarm")
    }

    /// Managers this node can count on now: itself and, on the leader, the peers that
    /// answered recently; a follower counts every voter.
    func reachableManagers(of node: ClusterNode) -> Int {
        let status = node.status
        guard status.role == .leader else { return status.confState.voters.count }
        return status.confState.voters.filter { status.heardFrom($0, self: node.nodeID, within: Self.reachabilityWindow) }.count
    }

    static let raftIDKey = "RaftID"

    static func host(of address: String) -> String {
        String(address.split(separator: ":").first ?? Substring(address))
    }

    /// `ListenAddr` as `IP:PORT` (port 2377 when only an address is given).
    static func listenAddress(_ raw: String?, default fallback: String) throws -> String {
        let value = raw.flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        let withPort = value.contains(":") ? value : value + ":2377"
        guard let port = withPort.split(separator: ":").last.flatMap({ UInt16($0) }), port > 0 else {
            throw DockerAPIError(.badRequest, "invalid listen address \(value)")
        }
        return withPort
    }

    /// `AdvertiseAddr`, or the listen address when it is a specific one, or loopback; the
    /// port defaults to the listen port.
    static func advertiseAddress(_ raw: String?, listen: String) throws -> String {
        let listenPort = listen.split(separator: ":").last.map(String.init) ?? "2377"
        if let raw, !raw.isEmpty {
            return raw.contains(":") ? raw : raw + ":" + listenPort
        }
        let host = self.host(of: listen)
        return (host == "0.0.0.0" || host.isEmpty ? "127.0.0.1" : host) + ":" + listenPort
    }
}
