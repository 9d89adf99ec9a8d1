import AsyncHTTPClient
import ColmeiaModel
import ColmeiaNode
import ColmeiaRaft
import ColmeiaStore
import Foundation
import NIOCore
import NIOSSL

extension ClusterManager {
    // MARK: The joining node

    /// `docker swarm join`: fetches the cluster CA from a manager and checks it against the
    /// token's digest, sends a CSR with the token, and becomes the manager or worker the
    /// token admits: a manager starts an empty Raft node that the leader fills (as a
    /// learner, then a voter); a worker starts only its agent.
    package func join(_ request: SwarmJoinRequest) async throws {
        guard identity == nil, !initializing else { throw DockerAPIError.alreadyInSwarm }
        initializing = true
        defer { initializing = false }
        guard let rawToken = request.joinToken, !rawToken.isEmpty else {
            throw DockerAPIError(.badRequest, "invalid join token")
        }
        let remotes = (request.remoteAddrs ?? []).map { $0.contains(":") ? $0 : $0 + ":2377" }
        guard !remotes.isEmpty else { throw DockerAPIError(.badRequest, "at least 1 RemoteAddr is required to join") }
        let listen = try Self.listenAddress(request.listenAddr, default: defaultListenAddress)
        let advertise = try Self.advertiseAddress(request.advertiseAddr, listen: listen)
        let token = try ClusterPKI.parseJoinToken(rawToken)
        // Every node serves its cluster port (managers: Raft; all: the agent's endpoints).
        try await ListenProbe.check(listen)

        var lastError: any Error = DockerAPIError(.serviceUnavailable, "no manager answered")
        for remote in remotes {
            do {
                let caPEM = try await Self.fetchRootCA(from: remote)
                guard ClusterPKI.token(token, matchesRootCA: caPEM) else {
                    throw DockerAPIError(.badRequest,
                                         "remote CA does not match fingerprint. Expected: \(ClusterPKI.digestPart(of: token))")
                }
                let keyPair = try ClusterPKI.makeKeyAndCSR()
                let application = JoinApplication(token: rawToken, csrPEM: keyPair.csrPEM, advertiseAddress: advertise,
                                                  availability: request.availability, description: localDescription)
                let admission = try await Self.apply(application, to: remote, trusting: caPEM)
                try await become(admission, keyPEM: keyPair.keyPEM, listen: listen, advertise: advertise)
                return
            } catch let error as DockerAPIError {
                throw error
            } catch {
                lastError = error
            }
        }
        throw DockerAPIError(.serviceUnavailable, "could not join the swarm through \(remotes.joined(separator: ", ")): \(lastError)")
    }

    private func become(_ admission: JoinAdmission, keyPEM: String, listen: String, advertise: String) async throws {
        let tls = ClusterTLS(caCertificatePEM: admission.caCertificatePEM,
                             certificateChainPEM: admission.certificateChainPEM, keyPEM: keyPEM)
        let managers = JoinAdmission.addressBook(admission.managers)
        let identity = NodeIdentity(nodeID: admission.nodeID, raftID: admission.raftID, advertiseAddress: advertise,
                                    listenAddress: listen, role: admission.role,
                                    knownManagers: managers.values.sorted())
        if admission.role == "manager" {
            let port = try await ClusterPortServer.start(address: listen, tls: tls, credentials: credentials,
                                                         responder: ClusterPortRoutes(manager: self).responder(), logger: logger)
            var book = managers
            book[admission.raftID] = advertise
            let node: ClusterNode
            do {
                node = try Self.managerNode(dataDirectory: dataDirectory, raftID: admission.raftID, tls: tls,
                                            addresses: book, snapshotChunkBytes: snapshotChunkBytes, logger: logger)
            } catch {
                await port.stop()
                throw error
            }
            do {
                try ClusterCertificates.save(tls, to: dataDirectory)
                try identity.save(to: dataDirectory)
                try node.start(bootstrap: false)
                self.node = node
                self.clusterPort = port
                // Like Docker, the join returns once this manager counts toward the quorum:
                // the leader has sent it the log and promoted it from learner to voter.
                let deadline = ContinuousClock.now.advanced(by: .seconds(60))
                while !node.status.confState.voters.contains(admission.raftID) && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                if !node.status.confState.voters.contains(admission.raftID) {
                    logger.warning("joined as a learner; still catching up with the leader's log")
                }
            } catch {
                self.node = nil
                self.clusterPort = nil
                await node.shutdown()
                await port.stop()
                eraseSwarmState()
                throw error
            }
        } else {
            workerTransport = try ClusterTransport(localID: admission.raftID, tls: tls, addresses: PeerAddressBook(),
                                                   logger: logger)
            workerManagers = identity.knownManagers ?? []
            try ClusterCertificates.save(tls, to: dataDirectory)
            try identity.save(to: dataDirectory)
        }
        self.identity = identity
        self.tls = tls
        logger.info("joined the swarm", metadata: ["node": "\(admission.nodeID)", "role": "\(admission.role)"])
        try await startServices()
    }

    /// The root CA certificate a manager serves. The connection is not trusted yet: what
    /// makes the answer trustworthy is the digest the caller checks against its token.
    private static func fetchRootCA(from remote: String) async throws -> String {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(tlsConfiguration: configuration, timeout: .init(connect: .seconds(5))))
        defer { Task { try? await client.shutdown() } }
        let response = try await client.execute(HTTPClientRequest(url: "https://\(remote)/ca"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw DockerAPIError(.serviceUnavailable, "\(remote) did not serve its CA") }
        return String(decoding: body.readableBytesView, as: UTF8.self)
    }

    /// Sends the join application over TLS that trusts only the pinned CA.
    private static func apply(_ application: JoinApplication, to remote: String, trusting caPEM: String) async throws -> JoinAdmission {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        configuration.certificateVerification = .noHostnameVerification
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(tlsConfiguration: configuration, timeout: .init(connect: .seconds(5))))
        defer { Task { try? await client.shutdown() } }
        var request = HTTPClientRequest(url: "https://\(remote)/join")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(application)))
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            let message = (try? JSONDecoder().decode([String: String].self, from: Data(body.readableBytesView)))?["message"]
                ?? String(decoding: body.readableBytesView, as: UTF8.self)
            throw DockerAPIError(.init(code: Int(response.status.code)), message)
        }
        return try JSONDecoder().decode(JoinAdmission.self, from: Data(body.readableBytesView))
    }

    // MARK: The manager admitting it

    /// The root CA certificate (PEM) of this manager's cluster.
    /// (During a rotation, the current root: the one join tokens pin.)
    func caCertificatePEM() throws -> String {
        guard let root = (try? node?.store.list(Swarm.self).first)??.tlsInfo.trustRoot, !root.isEmpty else {
            throw DockerAPIError.notManager
        }
        return root
    }

    /// Admits a node that presents a valid join token: issues its certificate, records it,
    /// and for a manager adds it to Raft as a learner (the leader promotes it once it has
    /// caught up). A token that matches neither role is refused in Docker's words.
    func admit(_ application: JoinApplication, peerIP: String?) async throws -> JoinAdmission {
        let (node, identity) = try active()
        let store = try await readableStore()
        guard let swarm = try store.list(Swarm.self).first else { throw DockerAPIError.notManager }
        let role = try ClusterPKI.role(presenting: application.token, worker: swarm.joinTokens.worker,
                                       manager: swarm.joinTokens.manager)
        var random = SystemRandomNumberGenerator()
        let nodeID = ObjectID.generate(using: &random)
        let raftID = UInt64.random(in: 1...UInt64(Int64.max), using: &random)
        let certificate = try ClusterPKI.issue(csrPEM: application.csrPEM, by: try Self.signingRoot(of: swarm),
                                               nodeID: nodeID, role: role, clusterID: swarm.id,
                                               expiry: swarm.spec.caConfig.nodeCertExpiry)
        let advertise = Self.reachableAddress(application.advertiseAddress, peerIP: peerIP)
        var description = application.description
        description.clusterAddress = advertise
        description.tlsInfo = try Self.tlsInfo(ofChain: certificate, following: Self.trust(of: swarm))
        let joined = Node(
            id: nodeID,
            spec: NodeSpec(role: NodeRole(rawValue: role),
                           availability: NodeAvailability(rawValue: application.availability.flatMap { $0.isEmpty ? nil : $0 } ?? "active")),
            description: description,
            status: NodeStatus(state: "unknown", addr: Self.host(of: advertise)),
            managerStatus: role == "manager"
                ? ManagerStatus(reachability: "unknown", addr: advertise, extra: [Self.raftIDKey: .string(String(raftID))])
                : nil)
        let command = ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .node, id: nodeID)),
            events: [.nodeCreated(joined)])
        do {
            let outcome = try await node.propose(command)
            if case .rejected(_, let reason) = outcome { throw DockerAPIError.rejected(reason) }
        } catch let error as ProposalError {
            throw DockerAPIError(error)
        }
        if role == "manager" {
            node.transport?.addresses.set(advertise, for: raftID)
            do {
                try await node.changeMembership(ConfChange(.addLearner, nodeID: raftID, context: Array(advertise.utf8)))
            } catch {
                _ = try? await node.propose(ClusterCommand(
                    envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .node, id: nodeID)),
                    events: [.nodeRemoved(id: nodeID)]))
                throw DockerAPIError(error)
            }
        }
        logger.info("admitted a node", metadata: ["node": "\(nodeID)", "role": "\(role)"])
        var managers = Self.managerAddressBook(in: store)
        managers[identity.raftID] = identity.advertiseAddress
        return JoinAdmission(nodeID: nodeID, raftID: raftID, role: role, clusterID: swarm.id,
                             certificateChainPEM: certificate, caCertificatePEM: try Self.trust(of: swarm).trustBundlePEM,
                             managers: JoinAdmission.wire(managers))
    }

    /// A node that advertises an unspecified address is reached at the address it came from.
    static func reachableAddress(_ advertised: String, peerIP: String?) -> String {
        let host = self.host(of: advertised)
        guard host == "0.0.0.0" || host.isEmpty, let peerIP else { return advertised }
        let port = advertised.split(separator: ":").last.map(String.init) ?? "2377"
        return peerIP + ":" + port
    }
}
