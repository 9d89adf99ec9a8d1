import ColmeiaCluster
import ColmeiaBackup
import ArgumentParser
import Metrics
import Prometheus
import ColmeiaAgent
import ColmeiaAPI
import ColmeiaMesh
import ColmeiaStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// `colmeiad`: the Colmeia node daemon. Parses its flags and starts the pieces; the work
/// lives in ColmeiaAPI and ColmeiaNode.
@main
struct Colmeiad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colmeiad",
        abstract: "The Colmeia node daemon: a swarm manager serving the Docker-compatible API.",
        discussion: """
            Examples:
              colmeiad --data-dir /var/lib/colmeia --host unix:///var/run/colmeia.sock --init
              colmeiad --data-dir /tmp/c1 --host unix:///tmp/c1.sock --host tcp://127.0.0.1:2375
              DOCKER_HOST=unix:///tmp/c1.sock docker node ls
              colmeiad --data-dir /tmp/c2 --host unix:///tmp/c2.sock --listen-addr 127.0.0.2:2377
              DOCKER_HOST=unix:///tmp/c2.sock docker swarm join --token SWMTKN-1-… 127.0.0.1:2377
            """
    )

    @Option(help: "Where the node keeps its Raft log, read models and identity.")
    var dataDir = "/var/lib/colmeia"

    @Option(help: "Address to serve the API on: unix:///path.sock or tcp://IP:PORT (repeatable).")
    var host: [String] = []

    @Option(help: "TLS certificate for tcp:// hosts.") var tlsCert: String?
    @Option(help: "TLS key for tcp:// hosts.") var tlsKey: String?
    @Option(help: "CA certificate to verify clients of tcp:// hosts.") var tlsCa: String?

    @Option(help: "How tasks run on this node: docker or process.") var executor = "docker"
    @Option(help: "The Docker engine the docker executor drives.") var dockerHost = "unix:///var/run/docker.sock"
    @Option(help: "Who runs a process task whose spec names no user (process executor).") var processUser = "nobody"
    @Flag(help: "Let process tasks run as root when their spec asks for it (process executor).")
    var processAllowRoot = false
    @Option(help: "Where process tasks get their working directories and secret files (default: /run/colmeia/<hash> as root, else DATA-DIR/run).")
    var execRoot: String?
    @Option(help: "This node's hostname in the swarm (default: the machine's).") var nodeName: String?

    @Option(help: "The cluster port's address (IP:PORT) when `swarm init` or `swarm join` does not name one.")
    var listenAddr = "0.0.0.0:2377"

    @Option(help: "The address the routing mesh binds published ports on (default: all of this host's).")
    var ingressAddr = "0.0.0.0"

    @Option(help: "The port of this node's data path, where other nodes send connections for its tasks (default: the cluster port + 1).")
    var dataPathPort: Int?

    @Flag(name: .customLong("init"), help: "Initialise a single-node swarm at start if the data dir holds none.")
    var initialize = false

    @Option(help: "Directory the leader writes scheduled backups of the event log to (see --backup-interval).")
    var backupDir: String?

    @Option(help: "Time between scheduled backups (e.g. 1h, 30m).")
    var backupInterval = "1h"

    @Option(help: "Scheduled backups kept in --backup-dir; older ones are removed.")
    var backupKeep = 24

    @Option(help: "File holding the passphrase scheduled backups are sealed with (default: the swarm's unlock key, with autolock).")
    var backupPassphraseFile: String?

    @Option(help: "Audit records state.db keeps; older ones move to compressed, checksummed segments in <data-dir>/audit-archive, where queries still reach them (default: 100000, so a manager's memory does not grow with its history).")
    var auditRetentionRecords: Int?

    @Option(help: "Move audit records older than this out of state.db (e.g. 720h, 30m).")
    var auditRetentionAge: String?

    @Flag(help: "Drop the records the retention policy moves out instead of archiving them (the chain keeps their hash as its checkpoint).")
    var auditRetentionDrop = false

    @Flag(help: "At start, make this manager the only member of its swarm (as `docker swarm init --force-new-cluster`): for a data dir restored from a backup or copied from a lost swarm.")
    var forceNewCluster = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    @Option(name: [.customShort("G"), .customLong("group")],
            help: "Group for the unix socket: its members administer the swarm as root does (default: docker, when it exists).")
    var group: String?

    @Flag(help: "Serve TCP listeners without TLS and a client CA even off loopback; anyone who reaches them is an admin.")
    var insecureTCP = false

    @Option(help: "The largest replica (or job completion) count a service may ask for.") var maxReplicas = 10_000

    @Option(help: ArgumentHelp("Renew this node's certificate this many seconds after taking it, instead of between 50% and 80% of its lifetime (for tests).",
                               visibility: .hidden))
    var certRenewAfter: Double?

    @Option(help: ArgumentHelp("Serve /metrics (Prometheus text format), /healthz and /readyz on this address (IP:PORT), open to anyone who reaches it, as dockerd's --metrics-addr."))
    var metricsAddr: String?

    @Option(help: "Log format: text or json (one object a line).") var logFormat = "text"

    @Option(help: ArgumentHelp("A listener for inbound webhooks only (tcp://IP:PORT): POST /colmeia/v1/hooks/NAME and nothing else, so the API never has to face the senders' network. TLS with --tls-cert and --tls-key when given (no client certificates asked)."))
    var webhookHost: String?

    @Option(help: ArgumentHelp("Send Raft snapshots to peers in parts of this many bytes (for tests).", visibility: .hidden))
    var raftSnapshotChunkBytes: Int?

    func validate() throws {
        guard ["docker", "process"].contains(executor) else {
            throw ValidationError("--executor must be docker or process, not '\(executor)'")
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        if tlsCa != nil && tlsCert == nil {
            throw ValidationError("--tls-ca verifies clients of a TLS listener: give --tls-cert and --tls-key too")
        }
        for address in host { _ = try ListenAddress(address) }
        if let webhookHost {
            guard case .tcp = try ListenAddress(webhookHost) else { throw ValidationError("--webhook-host \(webhookHost): expected tcp://IP:PORT") }
        }
        if maxReplicas < 1 { throw ValidationError("--max-replicas must be at least 1") }
        if let dataPathPort, !(1...65535).contains(dataPathPort) {
            throw ValidationError("--data-path-port must be between 1 and 65535")
        }
        if let raftSnapshotChunkBytes, raftSnapshotChunkBytes < 1 {
            throw ValidationError("--raft-snapshot-chunk-bytes must be at least 1")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format must be text or json, not '\(logFormat)'") }
        if let metricsAddr { _ = try ListenAddress("tcp://" + metricsAddr) }
    }

    func run() async throws {
        // Everything the daemon writes (keys, log, read models, task files) is its own.
        umask(0o077)
        // Every connection and task log holds descriptors: use all the system allows, as
        // dockerd does (the listeners' connection caps keep clients within it).
        var files = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files) == 0, files.rlim_cur < files.rlim_max {
            files.rlim_cur = files.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        // Instruments are made on first use: the backend is chosen before anything starts.
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(Self.metricsFactory(metrics))
        let logger = Logger(label: "colmeiad")
        // Listeners are judged before anything starts: a refused one leaves nothing behind.
        let addresses = try (host.isEmpty ? ["unix:///var/run/colmeia.sock"] : host).map(ListenAddress.init)
        let tcp = addresses.compactMap { address -> (host: String, port: Int)? in
            if case .tcp(let host, let port) = address { (host, port) } else { nil }
        }
        let warnings = try ListenerSecurity.check(tcp: tcp, tls: tlsCert != nil, clientCA: tlsCa != nil, insecure: insecureTCP)
        for warning in warnings { logger.warning("\(warning)") }
        let hostname = nodeName ?? ProcessInfo.processInfo.hostName
        let mesh = NodeMesh(nodeID: "", options: .init(ingressHost: ingressAddr), logger: logger)
        let taskExecutor: any TaskExecutor = executor == "process"
            ? ProcessExecutor(root: dataDir + "/tasks", runtimeRoot: execRoot ?? Self.defaultExecRoot(dataDir: dataDir),
                              options: .init(defaultUser: processUser, allowRoot: processAllowRoot), endpoints: mesh.endpoints)
            : try DockerExecutor(host: dockerHost, filesRoot: dataDir + "/task-files", mesh: mesh)
        let manager = try ClusterManager(dataDirectory: dataDir, hostname: hostname, logger: logger,
                                         defaultListenAddress: listenAddr,
                                         renewCertificatesAfter: certRenewAfter.map { .milliseconds(Int64($0 * 1000)) },
                                         snapshotChunkBytes: raftSnapshotChunkBytes, mesh: mesh,
                                         dataPathPort: dataPathPort, backupSchedule: try backupSchedule(),
                                         auditRetention: try auditRetention()) { _ in taskExecutor }
        await manager.resume()
        if forceNewCluster {
            try await manager.forceNewClusterAtStart()
        } else if initialize {
            try await manager.initializeIfNeeded()
        }
        let socketGroup = group.map { ListenerSecurity.group(named: $0) } ?? ListenerSecurity.group(named: "docker")
        if let group, socketGroup == nil { throw ValidationError("--group \(group): no such group") }
        let routes = APIRoutes(manager: manager, access: APIAccess(insecureTCP: insecureTCP, socketGroup: socketGroup,
                                                                   maxReplicas: maxReplicas, warnings: warnings),
                               metrics: metrics)
        var services: [any Service] = [NodeService(manager: manager)]
        for address in addresses {
            let server: HummingbirdCore.HTTPServerBuilder
            // Each listener has its own connection budget: a flood on TCP leaves the socket usable.
            let policy = ConnectionPolicy()
            var onRunning: @Sendable (any Channel) async -> Void = { _ in }
            switch address {
            case .unix(let path):
                try? FileManager.default.removeItem(atPath: path)
                server = APIServerBuilders.unixSocket(policy: policy)
                onRunning = { _ in
                    do {
                        try ListenerSecurity.restrict(socket: path, group: socketGroup)
                    } catch {
                        logger.critical("\(error)")
                    }
                }
            case .tcp:
                if let tlsCert, let tlsKey {
                    server = try APIServerBuilders.tls(certificatePath: tlsCert, keyPath: tlsKey, caPath: tlsCa, policy: policy)
                } else {
                    server = APIServerBuilders.plaintextTCP(policy: policy)
                }
            }
            let app = Application(
                responder: routes.responder(),
                server: server,
                configuration: ApplicationConfiguration(address: address.bindAddress, serverName: "colmeiad"),
                onServerRunning: onRunning,
                logger: logger)
            services.append(app)
            logger.info("serving the API", metadata: ["address": "\(address)"])
        }
        if let metricsAddr {
            let address = try ListenAddress("tcp://" + metricsAddr)
            services.append(Application(responder: routes.metricsResponder(), server: APIServerBuilders.plaintextTCP(policy: ConnectionPolicy()),
                                        configuration: ApplicationConfiguration(address: address.bindAddress, serverName: "colmeiad"),
                                        logger: logger))
            logger.info("serving metrics", metadata: ["address": "\(address)"])
        }
        if let webhookHost {
            let address = try ListenAddress(webhookHost)
            let policy = ConnectionPolicy()
            let server = if let tlsCert, let tlsKey {
                try APIServerBuilders.tls(certificatePath: tlsCert, keyPath: tlsKey, caPath: nil, policy: policy)
            } else {
                APIServerBuilders.plaintextTCP(policy: policy)
            }
            services.append(Application(responder: routes.webhookResponder(), server: server,
                                        configuration: ApplicationConfiguration(address: address.bindAddress, serverName: "colmeiad"),
                                        logger: logger))
            logger.info("serving inbound webhooks", metadata: ["address": "\(address)"])
        }
        // Services stop in reverse order: listeners first, then the node, which finishes
        // the writes in flight before the process exits.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                     logger: logger))
        try await group.run()
    }
}

extension Colmeiad {
    /// Prometheus through swift-metrics, with buckets that fit what each timer measures.
    static func metricsFactory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        let fast: [Duration] = [.microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                                .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                .milliseconds(100), .milliseconds(250), .seconds(1)]
        for label in ["colmeia_wal_fsync_duration_seconds", "colmeia_wal_append_duration_seconds", "colmeia_store_apply_duration_seconds",
                      "colmeia_reconcile_pass_duration_seconds", "colmeia_api_request_duration_seconds"] {
            factory.durationHistogramBuckets[label] = fast
        }
        return factory
    }

    /// Records the read models keep without `--audit-retention-*`: state.db lives in
    /// memory (`/dev/shm`) on most managers, so it must not grow with the whole history.
    static let defaultAuditRecords = 100_000

    /// `--audit-retention-*`, or the default bound.
    func auditRetention() throws -> AuditRetention? {
        guard auditRetentionRecords != nil || auditRetentionAge != nil else {
            return AuditRetention(maxRecords: Self.defaultAuditRecords, maxAge: nil, archive: !auditRetentionDrop)
        }
        if let records = auditRetentionRecords, records < 1 {
            throw ValidationError("--audit-retention-records \(records): give a number of records of at least 1")
        }
        var age: Duration?
        if let text = auditRetentionAge {
            guard let seconds = Self.seconds(text), seconds > 0, seconds < 1e10 else {
                throw ValidationError("--audit-retention-age \(text): give a number of seconds, minutes or hours (90s, 30m, 720h)")
            }
            age = .milliseconds(Int64(seconds * 1000))
        }
        return AuditRetention(maxRecords: auditRetentionRecords, maxAge: age, archive: !auditRetentionDrop)
    }

    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        guard let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()) else { return nil }
        return value * scale
    }

    /// `--backup-dir` and its companions; nil without a directory.
    func backupSchedule() throws -> BackupSchedule? {
        guard let backupDir else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        guard let unit = backupInterval.last, let scale = units[unit], let value = Double(backupInterval.dropLast()), value > 0 else {
            throw ValidationError("--backup-interval \(backupInterval): give a number of seconds, minutes or hours (30s, 15m, 1h)")
        }
        var passphrase: String?
        if let backupPassphraseFile {
            guard let data = FileManager.default.contents(atPath: backupPassphraseFile) else {
                throw ValidationError("--backup-passphrase-file \(backupPassphraseFile): cannot read it")
            }
            passphrase = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        return BackupSchedule(directory: backupDir, interval: .milliseconds(Int64(value * scale * 1000)), keep: backupKeep,
                              passphrase: passphrase)
    }

    /// `/run/colmeia/<hash of the data dir>` for root (outside the private data dir, so that
    /// task users can reach their working directories), else inside the data dir.
    static func defaultExecRoot(dataDir: String) -> String {
        guard geteuid() == 0 else { return dataDir + "/run" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in URL(fileURLWithPath: dataDir).standardizedFileURL.path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        try? FileManager.default.createDirectory(atPath: "/run/colmeia", withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o711])
        return "/run/colmeia/" + String(hash, radix: 16)
    }
}

/// Keeps the node running for the life of the daemon and stops it cleanly at shutdown.
struct NodeService: Service {
    let manager: ClusterManager

    func run() async throws {
        try? await gracefulShutdown()
        manager.logger.info("shutting down: finishing the writes in flight")
        await manager.shutdown()
        manager.logger.info("stopped")
    }
}
