import AsyncHTTPClient
import Foundation
import NIOCore

/// Real colmeiad processes on 127.0.0.1…N, each with a unix socket for its API, made into
/// one swarm of managers through the API (what `docker swarm init/join` send).
final class BenchCluster: @unchecked Sendable {
    struct Daemon {
        var index: Int
        var socket: String
        var dataDirectory: String
        var listenAddress: String
        var nodeName: String
        var process: Process?

        init(index: Int, socket: String, dataDirectory: String, listenAddress: String, nodeName: String? = nil) {
            self.index = index
            self.socket = socket
            self.dataDirectory = dataDirectory
            self.listenAddress = listenAddress
            self.nodeName = nodeName ?? "bench-\(index)"
        }
    }

    let directory: String
    let executable: String
    /// One connection per concurrent client (AsyncHTTPClient's default of 8 per host
    /// would queue 128 clients behind 8 connections and cap the figures).
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .benchmark)
    private(set) var daemons: [Daemon] = []
    private let lock = NSLock()
    private let options: ClusterOptions
    /// More colmeiad flags, for every daemon.
    var extraArguments: [String] = []
    /// The daemons' `--log-level` from their next start (`--log-level` of the bench at first).
    var logLevel: String

    /// SIGINT and SIGTERM of the bench: its daemons go with it.
    private var signalSources: [any DispatchSourceSignal] = []

    init(_ options: ClusterOptions) throws {
        self.options = options
        logLevel = options.logLevel
        directory = FileManager.default.temporaryDirectory.path + "/colmeia-cluster-bench-\(UUID().uuidString.prefix(8))"
        executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/colmeiad"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BenchError("colmeiad not found next to the benchmark (\(executable)); build it first")
        }
        for index in 1...options.managers {
            daemons.append(Daemon(index: index, socket: directory + "/\(index).sock", dataDirectory: directory + "/\(index)",
                                  listenAddress: "127.0.0.\(index):\(options.port)"))
        }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                self?.abandon()
                exit(128 + signalNumber)
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// What ``shutdown()`` does, synchronously, for a bench that is interrupted.
    private func abandon() {
        for index in daemons.indices { kill(index) }
        for daemon in daemons {
            DaemonFigures.eraseMemoryDirectories(of: daemon.dataDirectory)
            DaemonFigures.removeTaskCgroups(of: daemon.dataDirectory)
        }
        if options.keepLogs {
            print("interrupted; daemon logs kept in \(directory)/<n>.log")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    func start(_ index: Int) async throws {
        try launch(index)
        for _ in 0..<200 {
            if (try? await request(index, "GET", "/_ping", timeout: .seconds(1)))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("colmeiad \(daemons[index].index) did not answer")
    }

    /// Where daemon `index` logs (appended across its restarts).
    func logPath(_ index: Int) -> String { directory + "/\(daemons[index].index).log" }

    /// Starts daemon `index` without waiting for its API.
    func launch(_ index: Int) throws {
        let daemon = daemons[index]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--data-dir", daemon.dataDirectory, "--host", "unix://" + daemon.socket,
                             "--listen-addr", daemon.listenAddress, "--node-name", daemon.nodeName,
                             "--executor", "process", "--log-level", logLevel] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        // Each daemon's log goes beside its data directory, appended across restarts.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logPath = logPath(index)
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath)
        _ = try? log?.seekToEnd()
        process.standardError = log ?? FileHandle.nullDevice
        try? FileManager.default.removeItem(atPath: daemon.socket)
        try FileManager.default.createDirectory(atPath: daemon.dataDirectory, withIntermediateDirectories: true)
        try process.run()
        lock.withLock { daemons[index].process = process }
    }

    func kill(_ index: Int) {
        guard let process = lock.withLock({ daemons[index].process }) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        lock.withLock { daemons[index].process = nil }
    }

    /// SIGTERM to daemon `index`, then SIGKILL if it has not exited within `grace` seconds.
    /// Returns whether it exited on its own.
    @discardableResult
    func terminate(_ index: Int, grace: TimeInterval = 30) async -> Bool {
        guard let process = lock.withLock({ daemons[index].process }) else { return true }
        Foundation.kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let clean = !process.isRunning
        if !clean { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        lock.withLock { daemons[index].process = nil }
        return clean
    }

    /// Adds `count` worker daemons (127.0.0.<managers + n>, named `worker-<n>`), joined with
    /// the worker token through the first manager. Returns their indexes in ``daemons``.
    func addWorkers(_ count: Int) async throws -> [Int] {
        guard count > 0 else { return [] }
        let swarm = try await request(0, "GET", "/swarm")
        let tokens = try JSONSerialization.jsonObject(with: Data(swarm.body.utf8)) as? [String: Any]
        guard let token = (tokens?["JoinTokens"] as? [String: Any])?["Worker"] as? String else { throw BenchError("no worker join token") }
        let manager = daemons[0].listenAddress
        var added: [Int] = []
        for number in 1...count {
            let address = daemons.count + 1
            lock.withLock {
                daemons.append(Daemon(index: address, socket: directory + "/\(address).sock", dataDirectory: directory + "/\(address)",
                                      listenAddress: "127.0.0.\(address):\(options.port)", nodeName: "worker-\(number)"))
            }
            let index = daemons.count - 1
            try await start(index)
            let joined = try await request(index, "POST", "/swarm/join", body: """
                {"ListenAddr":"\(daemons[index].listenAddress)","AdvertiseAddr":"\(daemons[index].listenAddress)","RemoteAddrs":["\(manager)"],"JoinToken":"\(token)"}
                """)
            guard joined.status == 200 else { throw BenchError("worker join: \(joined.status) \(joined.body)") }
            added.append(index)
        }
        return added
    }

    /// Daemon `index`'s instruments (`GET /metrics`) by series.
    func metrics(_ index: Int) async throws -> [String: Double] {
        let answer = try await request(index, "GET", "/metrics", timeout: .seconds(5))
        guard answer.status == 200 else { throw BenchError("metrics of \(daemons[index].nodeName): \(answer.status)") }
        return DaemonFigures.samples(ofMetrics: answer.body)
    }

    func formSwarm() async throws {
        for index in daemons.indices { try await start(index) }
        let first = daemons[0]
        let initialized = try await request(0, "POST", "/swarm/init",
                                            body: #"{"ListenAddr":"\#(first.listenAddress)","AdvertiseAddr":"\#(first.listenAddress)"}"#)
        guard initialized.status == 200 else { throw BenchError("swarm init: \(initialized.body)") }
        let swarm = try await request(0, "GET", "/swarm")
        let tokens = try JSONSerialization.jsonObject(with: Data(swarm.body.utf8)) as? [String: Any]
        guard let token = (tokens?["JoinTokens"] as? [String: Any])?["Manager"] as? String else { throw BenchError("no join token") }
        for daemon in daemons.dropFirst() {
            let joined = try await request(daemon.index - 1, "POST", "/swarm/join", body: """
                {"ListenAddr":"\(daemon.listenAddress)","AdvertiseAddr":"\(daemon.listenAddress)","RemoteAddrs":["\(first.listenAddress)"],"JoinToken":"\(token)"}
                """)
            guard joined.status == 200 else { throw BenchError("swarm join: \(joined.body)") }
        }
        try await until("every manager is a reachable voter", timeout: 60) {
            try await self.managerStatuses(on: 0).filter { $0.value == "reachable" }.count == self.daemons.count
        }
    }

    /// Hostname → reachability as one manager sees it, and who leads.
    func managerStatuses(on index: Int) async throws -> [String: String] {
        let nodes = try await request(index, "GET", "/nodes", timeout: .seconds(3))
        guard nodes.status == 200, let list = try JSONSerialization.jsonObject(with: Data(nodes.body.utf8)) as? [[String: Any]] else {
            throw BenchError("nodes: \(nodes.body)")
        }
        var statuses: [String: String] = [:]
        for node in list {
            let hostname = ((node["Description"] as? [String: Any])?["Hostname"] as? String) ?? "?"
            statuses[hostname] = ((node["ManagerStatus"] as? [String: Any])?["Reachability"] as? String) ?? ""
        }
        return statuses
    }

    /// The index of the daemon that leads, as `index` sees it.
    func leader(seenBy index: Int) async throws -> Int? {
        let nodes = try await request(index, "GET", "/nodes", timeout: .seconds(3))
        guard let list = try JSONSerialization.jsonObject(with: Data(nodes.body.utf8)) as? [[String: Any]] else { return nil }
        for node in list where ((node["ManagerStatus"] as? [String: Any])?["Leader"] as? Bool) == true {
            let hostname = ((node["Description"] as? [String: Any])?["Hostname"] as? String) ?? ""
            return Int(hostname.dropFirst("bench-".count)).map { $0 - 1 }
        }
        return nil
    }

    /// The leader as the managers agree on it (asked in turn, for up to 30 s).
    func currentLeader() async throws -> Int {
        var found: Int?
        try await until("the managers name a leader", timeout: 30) {
            for index in daemons.indices where lock.withLock({ daemons[index].process }) != nil {
                if let leader = try? await leader(seenBy: index) {
                    found = leader
                    return true
                }
            }
            return false
        }
        guard let found else { throw BenchError("no leader") }
        return found
    }

    /// One write: a config with a unique name, holding `data` (base64) or its own name.
    func write(through index: Int, name: String, data: String? = nil, timeout: TimeAmount = .seconds(10)) async throws -> Bool {
        let data = data ?? Data(name.utf8).base64EncodedString()
        let answer = try await request(index, "POST", "/configs/create", body: #"{"Name":"\#(name)","Data":"\#(data)"}"#,
                                       timeout: timeout)
        return answer.status == 201
    }

    func request(_ index: Int, _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:],
                 timeout: TimeAmount = .seconds(30)) async throws -> (status: Int, body: String) {
        let socket = daemons[index].socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var request = HTTPClientRequest(url: "http+unix://\(socket)/v1.41\(path)")
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    /// A GET's response headers (names lowercased).
    func requestHeaders(_ index: Int, _ path: String) async throws -> [String: String] {
        let socket = daemons[index].socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let request = HTTPClientRequest(url: "http+unix://\(socket)/v1.41\(path)")
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return headers
    }

    /// The pid of daemon `index`, while it runs.
    func pid(_ index: Int) -> Int32? {
        lock.withLock { daemons[index].process?.processIdentifier }
    }

    func until(_ what: String, timeout: TimeInterval, _ check: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await check()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("timed out waiting until \(what)")
    }

    /// Kills every daemon and removes what they keep in /dev/shm, their tasks' cgroups and,
    /// unless --keep-logs, their directories.
    func shutdown() async {
        for index in daemons.indices { kill(index) }
        for daemon in daemons {
            DaemonFigures.eraseMemoryDirectories(of: daemon.dataDirectory)
            DaemonFigures.removeTaskCgroups(of: daemon.dataDirectory)
        }
        try? await client.shutdown()
        if options.keepLogs {
            print("daemon logs kept in \(directory)/<n>.log")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Nearest-rank percentile of sorted values.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[max(0, min(sorted.count - 1, rank))]
}

/// The data of one written object, `bytes` long, in base64 as both Colmeia's configs and
/// etcd's JSON gateway take it (the same bytes for every bench that writes objects).
func benchObject(bytes: Int) -> String {
    Data((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).base64EncodedString()
}

func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

/// Prints a line at once, also when the output is a pipe.
func report(_ line: String) {
    print(line)
    fflush(nil)
}

extension HTTPClient.Configuration {
    /// A client for load generators: up to 512 keep-alive connections per host.
    static var benchmark: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        return configuration
    }
}
