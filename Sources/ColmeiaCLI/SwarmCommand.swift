import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia swarm`: create, join, configure and leave the cluster.
struct SwarmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm",
        abstract: "Manage Swarm",
        discussion: "Example:\n  colmeia swarm init --advertise-addr 192.168.0.10",
        subcommands: [SwarmBackup.self, SwarmCA.self, SwarmInit.self, SwarmJoin.self, SwarmJoinToken.self, SwarmLeave.self,
                      SwarmRestore.self, SwarmUnlock.self, SwarmUnlockKey.self, SwarmUpdate.self]
    )
}

/// Cluster settings that `swarm init` and `swarm update` share.
struct SwarmSpecOptions: ParsableArguments {
    @Option(name: .customLong("task-history-limit"), help: "Task history retention limit") var taskHistoryLimit: Int64?
    @Option(name: .customLong("dispatcher-heartbeat"), help: "Dispatcher heartbeat period (ns|us|ms|s|m|h)") var dispatcherHeartbeat: String?
    @Option(name: .customLong("cert-expiry"), help: "Validity period for node certificates (ns|us|ms|s|m|h)") var certExpiry: String?
    @Option(name: .customLong("snapshot-interval"), help: "Number of log entries between Raft snapshots") var snapshotInterval: UInt64?
    @Option(name: .customLong("max-snapshots"), help: "Number of additional Raft snapshots to retain") var maxSnapshots: UInt64?

    func apply(to spec: inout SwarmSpec) throws(CLIError) {
        if let value = taskHistoryLimit { spec.orchestration.taskHistoryRetentionLimit = value }
        if let value = try ServiceSpecBuilder.duration(dispatcherHeartbeat, flag: "dispatcher-heartbeat") { spec.dispatcher.heartbeatPeriod = value }
        if let value = try ServiceSpecBuilder.duration(certExpiry, flag: "cert-expiry") { spec.caConfig.nodeCertExpiry = value }
        if let value = snapshotInterval { spec.raft.snapshotInterval = value }
        if let value = maxSnapshots { spec.raft.keepOldSnapshots = value }
    }
}

/// `colmeia swarm init`.
struct SwarmInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Initialize a swarm",
        discussion: "Example:\n  colmeia swarm init --advertise-addr 192.168.0.10 --autolock")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: .customLong("advertise-addr"), help: "Advertised address (format: <ip|interface>[:port])") var advertiseAddr: String?
    @Option(name: .customLong("listen-addr"), help: "Listen address (format: <ip|interface>[:port]; default: the daemon's --listen-addr, 0.0.0.0:2377)") var listenAddr = ""
    @Option(name: .customLong("data-path-addr"), help: "Address or interface to use for data path traffic") var dataPathAddr: String?
    @Option(name: .customLong("data-path-port"), help: "Port number to use for data path traffic") var dataPathPort: UInt32?
    @Option(name: .customLong("default-addr-pool"), help: "Default address pool in CIDR format") var defaultAddrPool: [String] = []
    @Option(name: .customLong("default-addr-pool-mask-length"), help: "Default address pool subnet mask length") var subnetSize: UInt32?
    @Flag(help: "Enable manager autolocking (requiring an unlock key to start a stopped manager)") var autolock = false
    @Option(help: "Availability of the node (\"active\", \"pause\", \"drain\")") var availability: String?
    @Flag(name: .customLong("force-new-cluster"), help: "Force create a new cluster from current state") var forceNewCluster = false
    @OptionGroup var spec: SwarmSpecOptions

    func run() async throws {
        var request = SwarmInitOptions()
        request.listenAddr = listenAddr
        request.advertiseAddr = advertiseAddr
        request.dataPathAddr = dataPathAddr
        request.dataPathPort = dataPathPort
        request.defaultAddrPool = defaultAddrPool.isEmpty ? nil : defaultAddrPool
        request.subnetSize = subnetSize
        request.autoLockManagers = autolock
        request.forceNewCluster = forceNewCluster
        if let availability {
            guard ["active", "pause", "drain"].contains(availability) else {
                throw CLIError("invalid argument \"\(availability)\" for \"--availability\" flag: must be one of active, pause, drain")
            }
            request.availability = availability
        }
        try spec.apply(to: &request.spec)
        try await global.withClient { client in
            let nodeID = try await client.initSwarm(request)
            Console.out("Swarm initialized: current node (\(nodeID)) is now a manager.\n")
            let swarm = try await client.swarm()
            let address = try await SwarmJoinToken.managerAddress(client)
            Console.out("To add a worker to this swarm, run the following command:\n")
            Console.out("    colmeia swarm join --token \(swarm.joinTokens.worker) \(address)\n")
            Console.out("To add a manager to this swarm, run 'colmeia swarm join-token manager' and follow the instructions.\n")
            if autolock {
                let key = try await client.unlockKey()
                Console.out("To unlock a swarm manager after it restarts, run the `colmeia swarm unlock`\ncommand and provide the following key:\n\n    \(key)\n")
                Console.out("Please remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.")
            }
        }
    }
}

/// `colmeia swarm join`.
struct SwarmJoin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join", abstract: "Join a swarm as a node and/or manager",
        discussion: "Example:\n  colmeia swarm join --token SWMTKN-1-... 192.168.0.10:2377")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "Token for entry into the swarm") var token: String
    @Option(name: .customLong("advertise-addr"), help: "Advertised address (format: <ip|interface>[:port])") var advertiseAddr: String?
    @Option(name: .customLong("listen-addr"), help: "Listen address (format: <ip|interface>[:port]; default: the daemon's --listen-addr, 0.0.0.0:2377)") var listenAddr = ""
    @Option(name: .customLong("data-path-addr"), help: "Address or interface to use for data path traffic") var dataPathAddr: String?
    @Option(help: "Availability of the node (\"active\", \"pause\", \"drain\")") var availability: String?
    @Argument(help: "A manager's address, HOST:PORT") var remote: String

    func run() async throws {
        var request = SwarmJoinOptions()
        request.joinToken = token
        request.remoteAddrs = [remote]
        request.listenAddr = listenAddr
        request.advertiseAddr = advertiseAddr
        request.dataPathAddr = dataPathAddr
        request.availability = availability
        try await global.withClient { client in
            try await client.joinSwarm(request)
            let info = try await client.info()
            let manager = info["Swarm"]?["ControlAvailable"] == .bool(true)
            Console.out(manager ? "This node joined a swarm as a manager." : "This node joined a swarm as a worker.")
        }
    }
}

/// `colmeia swarm join-token worker|manager`.
struct SwarmJoinToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join-token", abstract: "Manage join tokens",
        discussion: "Example:\n  colmeia swarm join-token worker\n  colmeia swarm join-token --rotate -q manager")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Only display token") var quiet = false
    @Flag(help: "Rotate join token") var rotate = false
    @Argument(help: "worker or manager") var role: String

    func validate() throws {
        guard role == "worker" || role == "manager" else { throw ValidationError("unknown role \(role)") }
    }

    /// The address joiners dial: the first remote manager, else the node's address on 2377.
    static func managerAddress(_ client: ColmeiaClient) async throws -> String {
        let info = try await client.info()
        if let address = info["Swarm"]?["RemoteManagers"]?.arrayValue?.first?["Addr"]?.stringValue { return address }
        return (info["Swarm"]?["NodeAddr"]?.stringValue ?? "127.0.0.1") + ":2377"
    }

    func run() async throws {
        try await global.withClient { client in
            if rotate {
                let swarm = try await client.swarm()
                try await client.updateSwarm(swarm.spec, version: swarm.version.index,
                                             rotateWorkerToken: role == "worker", rotateManagerToken: role == "manager")
                if !quiet { Console.out("Successfully rotated \(role) join token.\n") }
            }
            let swarm = try await client.swarm()
            let token = role == "worker" ? swarm.joinTokens.worker : swarm.joinTokens.manager
            if quiet {
                Console.out(token)
                return
            }
            let address = try await Self.managerAddress(client)
            Console.out("To add a \(role) to this swarm, run the following command:\n\n    colmeia swarm join --token \(token) \(address)\n")
        }
    }
}

/// `colmeia swarm leave`.
struct SwarmLeave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave", abstract: "Leave the swarm", discussion: "Example:\n  colmeia swarm leave --force")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(name: [.customShort("f"), .customLong("force")], help: "Force this node to leave the swarm, ignoring warnings")
    var force = false

    func run() async throws {
        try await global.withClient { client in
            try await client.leaveSwarm(force: force)
            Console.out("Node left the swarm.")
        }
    }
}

/// `colmeia swarm update`.
struct SwarmUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Update the swarm",
        discussion: "Example:\n  colmeia swarm update --task-history-limit 10 --autolock=true")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "Change manager autolocking setting (true|false)") var autolock: Bool?
    @OptionGroup var spec: SwarmSpecOptions

    func run() async throws {
        try await global.withClient { client in
            let swarm = try await client.swarm()
            var newSpec = swarm.spec
            try spec.apply(to: &newSpec)
            if let autolock { newSpec.encryptionConfig.autoLockManagers = autolock }
            try await client.updateSwarm(newSpec, version: swarm.version.index)
            Console.out("Swarm updated.")
            if autolock == true {
                let key = try await client.unlockKey()
                if !key.isEmpty {
                    Console.out("You can unlock a swarm manager using the following key:\n\n    \(key)\n")
                }
            }
        }
    }
}

/// `colmeia swarm unlock`: reads the key from stdin.
struct SwarmUnlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Unlock swarm",
        discussion: "Example:\n  echo SWMKEY-1-... | colmeia swarm unlock")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    func run() async throws {
        if Console.isTerminal { Console.write("Enter unlock key: ") }
        let key = String(decoding: Console.readStandardInput(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw CLIError("unlock key is empty") }
        try await global.withClient { client in try await client.unlockSwarm(key: key) }
    }
}

/// `colmeia swarm unlock-key`.
struct SwarmUnlockKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock-key", abstract: "Manage the unlock key",
        discussion: "Example:\n  colmeia swarm unlock-key --rotate")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Only display token") var quiet = false
    @Flag(help: "Rotate unlock key") var rotate = false

    func run() async throws {
        try await global.withClient { client in
            if rotate {
                let swarm = try await client.swarm()
                guard swarm.spec.encryptionConfig.autoLockManagers else {
                    throw CLIError("cannot rotate because autolock is not turned on")
                }
                try await client.updateSwarm(swarm.spec, version: swarm.version.index, rotateManagerUnlockKey: true)
                if !quiet { Console.out("Successfully rotated manager unlock key.\n") }
            }
            let key = try await client.unlockKey()
            guard !key.isEmpty else { throw CLIError("no unlock key is set") }
            if quiet {
                Console.out(key)
            } else {
                Console.out("To unlock a swarm manager after it restarts, run the `colmeia swarm unlock`\ncommand and provide the following key:\n\n    \(key)\n")
                Console.out("Please remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.")
            }
        }
    }
}

/// `colmeia swarm ca`: shows the root CA, or asks for a rotation.
struct SwarmCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca", abstract: "Display and rotate the root CA",
        discussion: "Example:\n  colmeia swarm ca\n  colmeia swarm ca --rotate")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(help: "Rotate the swarm CA - if no certificate or key are provided, new ones will be generated") var rotate = false
    @Option(name: .customLong("ca-cert"), help: "Path to the PEM-formatted root CA certificate to use for the new cluster") var caCert: String?
    @Option(name: .customLong("ca-key"), help: "Path to the PEM-formatted root CA key to use for the new cluster") var caKey: String?
    @Option(name: .customLong("cert-expiry"), help: "Validity period for node certificates (ns|us|ms|s|m|h)") var certExpiry: String?
    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Exit immediately instead of waiting for the root rotation to converge")
    var detach = false
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Suppress progress output") var quiet = false

    func run() async throws {
        let expiry = try ServiceSpecBuilder.duration(certExpiry, flag: "cert-expiry")
        var certificate: String?
        var key: String?
        for path in [caCert, caKey].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            throw CLIError("open \(path): no such file or directory")
        }
        if let caCert { certificate = try String(contentsOfFile: caCert, encoding: .utf8) }
        if let caKey { key = try String(contentsOfFile: caKey, encoding: .utf8) }
        guard rotate || (caCert == nil && caKey == nil) else { throw CLIError("--rotate is required with --ca-cert and --ca-key") }
        try await global.withClient { client in
            var swarm = try await client.swarm()
            if rotate || expiry != nil {
                var spec = swarm.spec
                if let expiry { spec.caConfig.nodeCertExpiry = expiry }
                if rotate {
                    spec.caConfig.forceRotate += 1
                    if let certificate { spec.caConfig.signingCACert = certificate }
                    if let key { spec.caConfig.signingCAKey = key }
                }
                try await client.updateSwarm(spec, version: swarm.version.index)
                swarm = try await client.swarm()
                if rotate && !detach { swarm = try await waitForRotation(client) }
            }
            if !quiet || !rotate { Console.out(swarm.tlsInfo.trustRoot.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// Polls like `docker swarm ca --rotate`: done once no rotation is under way and every
    /// node holds a certificate from the cluster's root and trusts only it. Ctrl-C stops
    /// watching; the rotation goes on.
    private func waitForRotation(_ client: ColmeiaClient) async throws -> Swarm {
        var printed = ""
        while true {
            let swarm = try await client.swarm()
            let nodes = try await client.nodes()
            let root = swarm.tlsInfo
            let certificates = nodes.filter { $0.description.tlsInfo.certIssuerPublicKey == root.certIssuerPublicKey
                && $0.description.tlsInfo.certIssuerSubject == root.certIssuerSubject }.count
            let roots = swarm.rootRotationInProgress ? 0 : nodes.filter { $0.description.tlsInfo.trustRoot == root.trustRoot }.count
            let line = "rotated TLS certificates: \(certificates)/\(nodes.count) nodes, rotated CA certificates: \(roots)/\(nodes.count) nodes"
            if !quiet && line != printed {
                Console.out(line)
                printed = line
            }
            if !swarm.rootRotationInProgress && certificates == nodes.count && roots == nodes.count { return swarm }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
