import ColmeiaBackup
import ColmeiaAgent
import ColmeiaManager
import ColmeiaMesh
import ColmeiaModel
import ColmeiaNode
import ColmeiaPKI
import ColmeiaRaft
import ColmeiaStore
import Crypto
import Foundation
import Logging

/// The daemon's place in a swarm: outside one (`inactive`) until `POST /swarm/init` or
/// `/swarm/join`, then a manager running a ``ClusterNode`` (or a worker running only its
/// agent). Survives restarts through the data directory.
///
/// A manager serves the cluster port (Raft, dispatcher, certificate issuance), runs the
/// reconcilers and dispatcher while it leads, and runs its own agent always.
public actor ClusterManager {
    public nonisolated let dataDirectory: String
    public nonisolated let hostname: String
    public nonisolated let logger: Logger
    /// The cluster port's address when `POST /swarm/init` does not name one.
    public let defaultListenAddress: String
    var node: ClusterNode?
    var identity: NodeIdentity?
    var tls: ClusterTLS? {
        didSet {
            credentials.update(tls)
            if let tls, let mesh {
                do {
                    try mesh.tls.update(certificateChainPEM: tls.certificateChainPEM, keyPEM: tls.keyPEM,
                                        caCertificatePEM: tls.caCertificatePEM)
                } catch {
                    logger.error("the data path cannot use the node certificate", metadata: ["error": "\(error)"])
                }
            }
        }
    }
    /// The node's part of the data plane (routing mesh, data path), when it runs tasks.
    public nonisolated let mesh: NodeMesh?
    /// The data path's port (nil: the cluster port's + 1).
    let dataPathPort: Int?
    /// What the cluster port presents; follows `tls` across renewals and role switches.
    let credentials = ServingCredentials()
    /// When the current certificate is to be renewed (drawn once per certificate).
    var certificateRenewal: (certificatePEM: String, at: Date)?
    /// Renew this long after taking a certificate instead of SwarmKit's 50–80% of its life.
    let renewCertificatesAfter: Duration?
    /// The size of each part of a snapshot this manager sends.
    let snapshotChunkBytes: Int
    /// Set while `initialize` or `join` waits: the actor is reentrant there, and a second
    /// request must not open the same WAL.
    var initializing = false
    private let makeExecutor: @Sendable (String) -> any TaskExecutor
    let heartbeatPeriod: Duration
    var leader: LeaderServices?
    private var agentTask: Task<Void, Never>?
    var agent: Agent?
    var clusterPort: ClusterPortServer?
    private var upkeepTask: Task<Void, Never>?
    /// Follows `docker node promote/demote`; lives across the switch it performs.
    var roleTask: Task<Void, Never>?
    /// A worker's way to the managers' dispatcher.
    var workerTransport: ClusterTransport?
    /// The managers a worker knows (kept up to date by ``followRole()``).
    var workerManagers: [String] {
        get { workerManagerList.current }
        set { workerManagerList.current = newValue }
    }
    let workerManagerList = ManagerAddressList()
    /// A promoted node whose request to join Raft has not been accepted yet: asked again
    /// every second until a manager adds it.
    var raftJoinPending = false
    /// What a worker last heard the cluster wants it to trust (``followTrust(_:)``).
    var workerTrust: ClusterTrust?
    /// The `TLSInfo` this node last reported for itself.
    var reportedTLSInfo: TLSInfo?
    /// Recent answers of ``isStillManager(_:)``.
    var managerChecks: [String: (at: ContinuousClock.Instant, manager: Bool)] = [:]
    /// The Raft ids of the managers, as ``checkSenders(of:from:)`` last read them.
    var raftSenderCheck: (at: ContinuousClock.Instant, check: RaftSenderCheck)?
    /// `--backup-dir`: the leader writes a backup every interval.
    let backupSchedule: BackupSchedule?
    /// When the leader last started a scheduled backup, and whether one is being written.
    var lastScheduledBackup: ContinuousClock.Instant?
    var scheduledBackupRunning = false
    /// `--audit-retention-*`: how much of the audit trail `state.db` keeps.
    package var auditRetention: AuditRetention?
    /// How often a retention pass may run, when it last did, and whether one runs.
    package var auditRetentionPeriod: Duration = .seconds(10)
    var lastAuditRetention: ContinuousClock.Instant?
    var auditRetentionRunning = false
    /// Autolock: the key files are sealed and wait for `docker swarm unlock`.
    var locked = false
    /// The last leader this manager knew (for `colmeia_raft_leader_changes_seen_total`).
    var lastSeenLeader: UInt64 = 0
    /// The unlock key this node's key files are sealed with (nil: in the clear).
    var unlockKey: UnlockKey?

    /// Opens the data directory; a node that was in a swarm rejoins it at once (its
    /// cluster port, reconcilers and agent start with ``resume()``).
    ///
    /// - Parameter makeExecutor: builds the executor that runs this node's tasks, given the
    ///   data directory.
    public init(dataDirectory: String, hostname: String, logger: Logger,
                defaultListenAddress: String = "0.0.0.0:2377",
                heartbeatPeriod: Duration = Dispatcher.defaultHeartbeatPeriod,
                renewCertificatesAfter: Duration? = nil,
                snapshotChunkBytes: Int? = nil,
                mesh: NodeMesh? = nil, dataPathPort: Int? = nil, backupSchedule: BackupSchedule? = nil,
                auditRetention: AuditRetention? = nil,
                makeExecutor: @escaping @Sendable (String) -> any TaskExecutor) throws {
        self.mesh = mesh
        self.dataPathPort = dataPathPort
        self.backupSchedule = backupSchedule
        self.auditRetention = auditRetention
        self.renewCertificatesAfter = renewCertificatesAfter
        self.snapshotChunkBytes = snapshotChunkBytes ?? ClusterTransport.defaultSnapshotChunkBytes
        self.dataDirectory = dataDirectory
        self.hostname = hostname
        self.logger = logger
        self.defaultListenAddress = defaultListenAddress
        self.makeExecutor = makeExecutor
        self.heartbeatPeriod = heartbeatPeriod
        // The data directory holds keys, the log and the identity: this user's alone.
        try PrivateDirectory.ensure(dataDirectory, what: "data directory", tightenContents: true)
        if let identity = try NodeIdentity.load(from: dataDirectory) {
            self.identity = identity
            if ManagerKeyFiles.isSealed(dataDirectory) {
                // Autolock: nothing starts until `docker swarm unlock` gives the key.
                locked = true
                // No secret is readable while locked: state.db's secret fields are sealed
                // under the data key, which the unlock key seals; scratch copies go.
                Self.eraseReadModels(of: dataDirectory)
                logger.notice("this manager is locked: run docker swarm unlock", metadata: ["node": "\(identity.nodeID)"])
                return
            }
            (tls, node, workerTransport) = try Self.reopen(identity, dataDirectory: dataDirectory, unlockKey: nil,
                                                           snapshotChunkBytes: self.snapshotChunkBytes, logger: logger)
            workerManagerList.current = identity.knownManagers ?? []
            logger.info("rejoined swarm", metadata: ["node": "\(identity.nodeID)", "role": "\(identity.role ?? "manager")"])
        }
    }

    /// A node of a swarm coming back: its certificates, and its Raft node (a manager,
    /// started) or its way to the managers (a worker).
    static func reopen(_ identity: NodeIdentity, dataDirectory: String, unlockKey: UnlockKey?, snapshotChunkBytes: Int,
                       logger: Logger) throws
        -> (ClusterTLS, ClusterNode?, ClusterTransport?) {
        let tls = try ClusterCertificates.load(from: dataDirectory, unlockKey: unlockKey)
        guard identity.isManager else {
            return (tls, nil, try ClusterTransport(localID: identity.raftID, tls: tls, addresses: PeerAddressBook(), logger: logger))
        }
        let node = try managerNode(dataDirectory: dataDirectory, raftID: identity.raftID, tls: tls, addresses: [:],
                                   unlockKey: unlockKey, snapshotChunkBytes: snapshotChunkBytes, logger: logger)
        try node.start(bootstrap: false)
        refreshAddresses(of: node)
        return (tls, node, nil)
    }

    /// The running manager, or Docker's "not a swarm manager" error (with the words for a
    /// worker when this node is one).
    package func active() throws(DockerAPIError) -> (node: ClusterNode, identity: NodeIdentity) {
        if locked { throw .locked }
        guard let node, let identity else { throw identity == nil ? .notManager : .workerNode }
        return (node, identity)
    }

    package var isActive: Bool { node != nil }

    /// This manager's read models as they are (no read barrier): where the API looks up
    /// bearer tokens. Nil on a worker, a locked manager or a node outside a swarm.
    package func localStore() -> ClusterStore? {
        locked ? nil : node?.store
    }

    /// Whether `nodeID` is still a manager in the replicated state (or still in Raft on its
    /// way out): what a manager certificate alone cannot say after a demotion. Looked up at most
    /// once a second per node; a node without a store (a worker) trusts the certificate.
    func isStillManager(_ nodeID: String) -> Bool {
        let now = ContinuousClock.now
        if let cached = managerChecks[nodeID], now - cached.at < .seconds(1) { return cached.manager }
        guard let store = localStore() else { return true }
        // A node this store does not know (this manager is still catching up, or the node
        // is new) is judged by its certificate; only a known node's demotion counts.
        let manager: Bool
        if let node = try? store.get(Node.self, nodeID) {
            manager = node.spec.role.rawValue == "manager" || node.managerStatus != nil
        } else {
            manager = true
        }
        if managerChecks.count > 10_000 { managerChecks.removeAll() }
        managerChecks[nodeID] = (now, manager)
        return manager
    }

    /// This manager's Raft node, when it runs one.
    package func localNode() -> ClusterNode? {
        locked ? nil : node
    }
    var isWorker: Bool { identity.map { !$0.isManager } ?? false }
    package var nodeIdentity: NodeIdentity? { identity }

    /// The store of the running manager after a read barrier: with more than one voter, a
    /// read sees every write acknowledged before it began (Raft thesis §6.4), and without
    /// a quorum it fails with Docker's "does not have a leader" instead of serving stale data.
    package func readableStore() async throws -> ClusterStore {
        let (node, _) = try active()
        if node.status.confState.voters != [node.nodeID] {
            do {
                try await node.readBarrier()
            } catch {
                throw DockerAPIError(error)
            }
        }
        return node.store
    }

    /// This machine as a node of the swarm.
    var localDescription: NodeDescription {
        NodeDescription(hostname: hostname, platform: Platform(architecture: Self.architecture, os: "linux"),
                        resources: Resources(nanoCPUs: Int64(ProcessInfo.processInfo.activeProcessorCount) * 1_000_000_000,
                                             memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory)),
                        engine: EngineDescription(engineVersion: ColmeiaVersion.engine))
    }

    /// Starts what runs besides Raft: the cluster port, the leadership upkeep (reconcilers
    /// and dispatcher while leading) and the node's own agent.
    public func resume() async {
        do {
            try await startServices()
        } catch {
            logger.error("could not start the cluster port", metadata: ["error": "\(error)"])
        }
    }

    func startServices() async throws {
        guard let identity, let tls, agent == nil else { return }
        let executor = makeExecutor(dataDirectory)
        let connection: any DispatcherConnection
        if let node, let transport = node.transport {
            if clusterPort == nil {
                clusterPort = try await ClusterPortServer.start(
                    address: identity.clusterListenAddress, tls: tls, credentials: credentials,
                    responder: ClusterPortRoutes(manager: self).responder(), logger: logger)
            }
            let address = String(identity.advertiseAddress.split(separator: ":").first ?? "127.0.0.1")
            let remote = RemoteDispatcherConnection(transport: transport) { [node] in
                Self.managerAddresses(of: node)
            }
            connection = ManagerDispatcherConnection(manager: self, addr: address, remote: remote)
            upkeepTask = Task { await self.upkeep() }
        } else if let workerTransport {
            // A worker serves the cluster port too: managers reach its agent there (task
            // logs), authenticated by their manager certificates.
            if clusterPort == nil {
                clusterPort = try await ClusterPortServer.start(
                    address: identity.clusterListenAddress, tls: tls, credentials: credentials,
                    responder: ClusterPortRoutes(manager: self).responder(), logger: logger)
            }
            let managers = workerManagerList
            connection = RemoteDispatcherConnection(transport: workerTransport) { managers.current }
        } else {
            return
        }
        var description = await executor.describe(localDescription)
        description.clusterAddress = identity.advertiseAddress
        if let mesh {
            mesh.nodeID = identity.nodeID
            // The node certificate is in place by now (`tls` was set): the data path can serve.
            try? mesh.tls.update(certificateChainPEM: tls.certificateChainPEM, keyPEM: tls.keyPEM,
                                 caCertificatePEM: tls.caCertificatePEM)
            let (listen, advertised) = dataPathAddresses(of: identity)
            do {
                if let (host, port) = Self.split(listen) { try await mesh.startDataPath(host: host, port: port) }
                description.dataPathAddress = advertised
            } catch {
                logger.error("the data path cannot listen; tasks here take no connections from other nodes",
                             metadata: ["address": "\(listen)", "error": "\(error)"])
            }
        }
        let agent = Agent(nodeID: identity.nodeID, description: description,
                          connection: connection, executor: executor, mesh: mesh, logger: logger)
        self.agent = agent
        agentTask = Task { await agent.run() }
        if roleTask == nil {
            roleTask = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    await self.followRole()
                    if let trust = self.desiredTrust() { await self.followTrust(trust) }
                    await self.renewCertificateIfDue()
                }
            }
        }
    }

    /// Stops the agent, the upkeep and the leader's services. Leaving the swarm stops the
    /// node's tasks; a daemon that merely stops leaves containers running for its next
    /// start to adopt.
    func stopServices(leaving: Bool = false) async {
        agentTask?.cancel()
        await agentTask?.value
        await agent?.stopTasksIfTheyCannotOutlive(force: leaving)
        await agent?.closeExecutor()
        agentTask = nil
        agent = nil
        upkeepTask?.cancel()
        await upkeepTask?.value
        upkeepTask = nil
        await leader?.stop()
        leader = nil
        await clusterPort?.stop()
        clusterPort = nil
        await mesh?.stop()
    }

    /// Where the data path listens and where other nodes reach it: the cluster port's
    /// host, on `--data-path-port` (by default the cluster port + 1).
    func dataPathAddresses(of identity: NodeIdentity) -> (listen: String, advertised: String) {
        let listen = Self.split(identity.clusterListenAddress) ?? ("0.0.0.0", 2377)
        let advertised = Self.split(identity.advertiseAddress) ?? (listen.host, listen.port)
        let port = dataPathPort ?? listen.port + 1
        return ("\(listen.host):\(port)", "\(advertised.host):\(port)")
    }

    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return nil }
        return (String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    /// Containers and images on this node, from its executor (nil: unknown or no agent).
    package func executorCounts() async -> EngineCounts? {
        await agent?.executorCounts()
    }

    /// Removes the swarm's files from the data directory (its node must be stopped).
    func eraseSwarmState() {
        for item in ["raft", "state.db", "state.db-wal", "state.db-shm", "node-identity.json", "certificates"] {
            try? FileManager.default.removeItem(atPath: dataDirectory + "/" + item)
        }
        Self.eraseReadModels(of: dataDirectory)
    }

    /// Stops the node after the writes in flight are applied.
    public func shutdown() async {
        roleTask?.cancel()
        await roleTask?.value
        roleTask = nil
        await stopServices()
        await node?.shutdown()
        node = nil
        await workerTransport?.shutdown()
        workerTransport = nil
    }

    /// `--init`: a fresh daemon creates a single-node swarm with default settings.
    public func initializeIfNeeded() async throws {
        guard identity == nil else { return }
        _ = try await initialize(SwarmInitRequest())
    }

    /// `--force-new-cluster`: a restored data directory becomes a one-manager swarm, as
    /// does a manager's data directory (a copy of a lost swarm's); anything else is refused.
    public func forceNewClusterAtStart() async throws {
        guard pendingRestore != nil || identity?.isManager == true else {
            throw DockerAPIError.badRequest("--force-new-cluster needs a manager's data directory or one restored from a backup (colmeia swarm restore)")
        }
        var request = SwarmInitRequest()
        request.forceNewCluster = true
        _ = try await initialize(request)
    }

    /// A manager's Raft node with its transport over the cluster port, not started yet.
    /// `addresses` are the managers it can reach first (Raft member id → cluster address).
    /// Its Raft data is encrypted with the data key in `certificates/raft-dek` (made on first
    /// use), unsealed with `unlockKey` when autolock sealed it.
    static func managerNode(dataDirectory: String, raftID: UInt64, tls: ClusterTLS, addresses: [UInt64: String],
                            unlockKey: UnlockKey? = nil, snapshotChunkBytes: Int, logger: Logger) throws -> ClusterNode {
        let dataKey = try ManagerKeyFiles.dataKey(dataDirectory, unlockKey: unlockKey)
        // state.db stays on disk with its secret fields sealed under the data key; snapshots
        // (whose secret fields are open) are made and restored in memory where there is some.
        // Earlier versions kept the whole of state.db there: those copies go.
        var scratch: String?
        if dataKey != nil, let directory = readModelsDirectory(for: dataDirectory, raftID: raftID) {
            eraseReadModels(of: dataDirectory, keeping: directory)
            // This user's alone, or not at all.
            try PrivateDirectory.ensure(directory, what: "read-model directory", replaceIfLoose: true)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
            scratch = directory
        } else {
            eraseReadModels(of: dataDirectory)
        }
        let transport = try ClusterTransport(localID: raftID, tls: tls, addresses: PeerAddressBook(addresses), logger: logger,
                                             snapshotChunkBytes: snapshotChunkBytes)
        do {
            let node = try ClusterNode(dataDirectory: dataDirectory, nodeID: raftID, transport: transport, dataKey: dataKey,
                                       scratchDirectory: scratch)
            if let aside = node.corruptReadModels {
                logger.critical("the read models were corrupt: set aside, and rebuilt from the snapshot and the log",
                                metadata: ["setAside": "\(aside)"])
            }
            return node
        } catch {
            Task { await transport.shutdown() }
            throw error
        }
    }

    /// Where a manager whose log is encrypted makes and restores snapshots, which hold
    /// secrets and the swarm's keys in the clear: memory (`/dev/shm`), one directory per
    /// data directory and Raft member (earlier versions kept the whole of state.db there).
    /// Nil without `/dev/shm`.
    static func readModelsDirectory(for dataDirectory: String, raftID: UInt64) -> String? {
        readModelsPrefix(for: dataDirectory).map { $0 + String(raftID, radix: 16) }
    }

    private static func readModelsPrefix(for dataDirectory: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: "/dev/shm") else { return nil }
        let absolute = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        let digest = SHA256.hash(data: Data(absolute.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return "/dev/shm/colmeia-\(digest)-"
    }

    /// Removes the in-memory scratch directories of this data directory (all but `keeping`).
    static func eraseReadModels(of dataDirectory: String, keeping: String? = nil) {
        guard let prefix = readModelsPrefix(for: dataDirectory),
              let names = try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm") else { return }
        for name in names where ("/dev/shm/" + name).hasPrefix(prefix) && "/dev/shm/" + name != keeping {
            try? FileManager.default.removeItem(atPath: "/dev/shm/" + name)
        }
    }

    package static let architecture: String = {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "aarch64"
        #else
        return "unknown"
        #endif
    }()
}

