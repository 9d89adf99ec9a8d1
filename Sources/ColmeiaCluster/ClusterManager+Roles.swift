import AsyncHTTPClient
import ColmeiaModel
import ColmeiaNode
import ColmeiaRaft
import ColmeiaStore
import Foundation
import NIOCore

/// `docker node promote` and `demote`: the node's spec role is the intent; the leader
/// moves Raft membership after it (removing a demoted manager, transferring leadership
/// first when it is itself), and each node follows its role by asking the managers and
/// switching between manager and worker with a certificate for the new role.
extension ClusterManager {
    // MARK: Managers answering

    /// The role the cluster wants for `nodeID`, and whether it is a Raft member.
    func desiredRole(of nodeID: String) async throws -> RoleAnswer {
        let (node, identity) = try active()
        let store = try await readableStore()
        let record = try store.get(Node.self, nodeID)
        let member = Self.raftID(of: record).map { node.status.confState.contains($0) } ?? false
        var managers = Self.managerAddressBook(in: store).filter { node.status.confState.voters.contains($0.key) }
        managers[identity.raftID] = identity.advertiseAddress
        let trust = try store.list(Swarm.self).first.flatMap { try Self.trust(of: $0) }
        return RoleAnswer(role: record.spec.role.rawValue, member: member, managers: JoinAdmission.wire(managers), trust: trust)
    }

    /// A fresh certificate for the role the cluster now wants for `nodeID`.
    func reissueCertificate(for nodeID: String, csrPEM: String) async throws -> CertificateAnswer {
        _ = try active()
        let store = try await readableStore()
        let record = try store.get(Node.self, nodeID)
        guard let swarm = try store.list(Swarm.self).first else { throw DockerAPIError.notManager }
        let role = record.spec.role.rawValue == "manager" ? "manager" : "worker"
        let chain = try ClusterPKI.issue(csrPEM: csrPEM, by: try Self.signingRoot(of: swarm), nodeID: nodeID, role: role,
                                         clusterID: swarm.id, expiry: swarm.spec.caConfig.nodeCertExpiry)
        return CertificateAnswer(role: role, certificateChainPEM: chain)
    }

    /// A promoted node with its new manager certificate asks to join Raft: it is recorded
    /// with its address and added as a learner (promoted to voter once caught up).
    func addPromotedManager(_ nodeID: String, _ join: RaftJoinRequest, peerIP: String?) async throws {
        let (node, _) = try active()
        let store = try await readableStore()
        var record = try store.get(Node.self, nodeID)
        guard record.spec.role.rawValue == "manager" else {
            throw DockerAPIError(.forbidden, "node \(nodeID) is not a manager")
        }
        guard !node.status.confState.contains(join.raftID) else { return }
        let advertise = Self.reachableAddress(join.advertiseAddress, peerIP: peerIP)
        record.managerStatus = ManagerStatus(reachability: "unknown", addr: advertise,
                                             extra: [Self.raftIDKey: .string(String(join.raftID))])
        let outcome = try await node.propose(ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .node, id: nodeID)),
            preconditions: [.objectVersion(kind: .node, id: nodeID, index: record.version.index)],
            events: [.nodeUpdated(record)]))
        if case .rejected(_, let reason) = outcome { throw DockerAPIError.rejected(reason) }
        node.transport?.addresses.set(advertise, for: join.raftID)
        try await node.changeMembership(ConfChange(.addLearner, nodeID: join.raftID, context: Array(advertise.utf8)))
        logger.notice("a promoted node joined Raft as a learner", metadata: ["node": "\(nodeID)"])
    }

    /// Docker's refusals for `docker node demote`: not the last manager, and not when the
    /// managers left could not form a quorum.
    package func checkDemotion(of record: Node, in store: ClusterStore) throws {
        let (node, _) = try active()
        let managers = try store.list(Node.self).filter { $0.spec.role.rawValue == "manager" }
        guard managers.count > 1 else {
            throw DockerAPIError(.badRequest,
                                 "rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm")
        }
        let status = node.status
        guard let raftID = Self.raftID(of: record), status.confState.voters.contains(raftID) else { return }
        let remaining = status.confState.voters.filter { $0 != raftID }
        let reachable = remaining.filter { status.heardFrom($0, self: node.nodeID, within: Self.reachabilityWindow) || status.role != .leader }
        guard reachable.count > remaining.count / 2 else {
            throw DockerAPIError(.badRequest,
                                 "rpc error: code = FailedPrecondition desc = can't remove member from the raft: this would result in a loss of quorum")
        }
    }

    // MARK: The leader

    /// Removes demoted managers from Raft (handing leadership away first when this leader
    /// is the one demoted) and clears their manager status.
    func removeDemotedMembers(_ node: ClusterNode, _ status: RaftDriverStatus) async {
        guard let nodes = try? node.store.list(Node.self) else { return }
        for var record in nodes where record.spec.role.rawValue == "worker" && record.managerStatus != nil {
            guard let raftID = Self.raftID(of: record) else { continue }
            if status.confState.contains(raftID) {
                if raftID == node.nodeID {
                    let target = status.confState.voters.filter { $0 != raftID }
                        .max { (status.progress[$0]?.match ?? 0) < (status.progress[$1]?.match ?? 0) }
                    if let target {
                        logger.notice("demoted: handing leadership over first", metadata: ["to": "\(String(target, radix: 16))"])
                        node.transferLeadership(to: target)
                    }
                    return
                }
                do {
                    try await node.changeMembership(ConfChange(.removeNode, nodeID: raftID))
                } catch {
                    logger.info("could not remove a demoted manager from Raft yet", metadata: ["error": "\(error)"])
                    return
                }
            }
            record.managerStatus = nil
            _ = try? await node.propose(ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .reconciler, id: "raft-membership")),
                preconditions: [.objectVersion(kind: .node, id: record.id, index: record.version.index)],
                events: [.nodeUpdated(record)]))
        }
    }

    // MARK: The node following its role

    /// Asks a manager which role the cluster wants for this node and switches when it
    /// differs: a promoted worker becomes a manager, a demoted manager that Raft has
    /// removed becomes a worker.
    func followRole() async {
        guard let identity, !initializing else { return }
        let transport = node?.transport ?? workerTransport
        guard let transport else { return }
        let candidates = node.map { Self.managerAddresses(of: $0) } ?? workerManagers
        for address in candidates where address != identity.advertiseAddress {
            guard let answer: RoleAnswer = try? await Self.call(transport, address, "GET", "/node/role", body: Optional<RoleAnswer>.none)
            else { continue }
            let managers = answer.managers.values.sorted()
            if node == nil, !managers.isEmpty, managers != workerManagers {
                // A worker remembers every manager, across restarts too.
                workerManagers = managers
                self.identity?.knownManagers = managers
                do { try self.identity?.save(to: dataDirectory) } catch {
                    logger.warning("could not record the managers' addresses", metadata: ["error": "\(error)"])
                }
            }
            if answer.trust != nil { workerTrust = answer.trust }
            let current = identity.isManager ? "manager" : "worker"
            if answer.role == "manager" && current == "manager" && raftJoinPending {
                if answer.member { raftJoinPending = false } else { await askToJoinRaft(via: address) }
                return
            }
            guard answer.role != current else { return }
            if answer.role == "manager" {
                await becomeManager(answer, via: address, transport: transport)
            } else if !answer.member {
                await becomeWorker(answer, via: address, transport: transport)
            }
            return
        }
    }

    private func newCertificate(via address: String, transport: ClusterTransport) async throws -> ClusterTLS {
        guard let tls else { throw DockerAPIError.notManager }
        let keyPair = try ClusterPKI.makeKeyAndCSR()
        let answer: CertificateAnswer = try await Self.call(transport, address, "POST", "/node/certificate",
                                                            body: CertificateRenewal(csrPEM: keyPair.csrPEM))
        return ClusterTLS(caCertificatePEM: tls.caCertificatePEM, certificateChainPEM: answer.certificateChainPEM,
                          keyPEM: keyPair.keyPEM)
    }

    private func becomeManager(_ answer: RoleAnswer, via address: String, transport: ClusterTransport) async {
        guard var identity, let workerTLS = tls else { return }
        let tls: ClusterTLS
        do {
            tls = try await newCertificate(via: address, transport: transport)
        } catch {
            logger.warning("could not get a manager certificate yet", metadata: ["via": "\(address)", "error": "\(error)"])
            return
        }
        await stopServices()
        var started: ClusterNode?
        do {
            eraseRaftState()
            identity.role = "manager"
            var book = JoinAdmission.addressBook(answer.managers)
            book[identity.raftID] = identity.advertiseAddress
            let node = try Self.managerNode(dataDirectory: dataDirectory, raftID: identity.raftID, tls: tls,
                                            addresses: book, snapshotChunkBytes: snapshotChunkBytes, logger: logger)
            try ClusterCertificates.save(tls, to: dataDirectory)
            try node.start(bootstrap: false)
            started = node
            // The identity is written last: a crash before it restarts the node as the worker it was.
            try identity.save(to: dataDirectory)
        } catch {
            // Nothing half-switched is kept: the worker goes on and is asked again next round.
            logger.error("could not become a manager; staying a worker", metadata: ["error": "\(error)"])
            await started?.shutdown()
            eraseRaftState()
            try? ClusterCertificates.save(workerTLS, to: dataDirectory)
            try? await startServices()
            return
        }
        await workerTransport?.shutdown()
        workerTransport = nil
        unlockKey = nil
        self.tls = tls
        self.identity = identity
        self.node = started
        raftJoinPending = true
        logger.notice("promoted: this node is now a manager")
        await askToJoinRaft(via: address)
    }

    /// Asks the manager at `address` to add this promoted node to Raft. A refusal (a
    /// leader election, a node update racing ours) is retried by ``followRole()`` until
    /// the managers report this node a member.
    private func askToJoinRaft(via address: String) async {
        guard let identity, let transport = node?.transport else { return }
        do {
            // Services that failed to start with the switch get another chance first.
            try await startServices()
            let _: DispatcherAck = try await Self.call(
                transport, address, "POST", "/raft/join",
                body: RaftJoinRequest(raftID: identity.raftID, advertiseAddress: identity.advertiseAddress))
            raftJoinPending = false
            logger.notice("asked to join Raft as a manager", metadata: ["via": "\(address)"])
        } catch {
            logger.warning("could not join Raft yet; will ask again", metadata: ["via": "\(address)", "error": "\(error)"])
        }
    }

    private func becomeWorker(_ answer: RoleAnswer, via address: String, transport: ClusterTransport) async {
        guard var identity else { return }
        do {
            let tls = try await newCertificate(via: address, transport: transport)
            await stopServices()
            await node?.shutdown()
            node = nil
            eraseRaftState()
            identity.role = "worker"
            identity.knownManagers = answer.managers.values.sorted()
            try ClusterCertificates.save(tls, to: dataDirectory)
            unlockKey = nil
            try identity.save(to: dataDirectory)
            self.tls = tls
            self.identity = identity
            workerManagers = identity.knownManagers ?? []
            raftJoinPending = false
            workerTransport = try ClusterTransport(localID: identity.raftID, tls: tls, addresses: PeerAddressBook(), logger: logger)
            try await startServices()
            logger.notice("demoted: this node is now a worker")
        } catch {
            logger.error("could not become a worker", metadata: ["error": "\(error)"])
        }
    }

    /// Removes the Raft log, its data key and the read models (a node that stops or starts
    /// being a manager).
    func eraseRaftState() {
        for item in ["raft", "state.db", "state.db-wal", "state.db-shm", "certificates/" + ManagerKeyFiles.dataKeyName,
                     "certificates/" + ManagerKeyFiles.dataKeyName + ManagerKeyFiles.nextSuffix] {
            try? FileManager.default.removeItem(atPath: dataDirectory + "/" + item)
        }
        Self.eraseReadModels(of: dataDirectory)
    }

    /// One JSON exchange with a manager's cluster port.
    static func call<Body: Encodable, Answer: Decodable>(_ transport: ClusterTransport, _ address: String, _ method: String,
                                                         _ path: String, body: Body?) async throws -> Answer {
        var request = HTTPClientRequest(url: "https://\(address)\(path)")
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response = try await transport.client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw DockerAPIError(.init(code: Int(response.status.code)), String(buffer: bytes))
        }
        return try JSONDecoder().decode(Answer.self, from: Data(bytes.readableBytesView))
    }
}
