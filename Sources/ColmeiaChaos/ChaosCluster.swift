import Foundation

/// Real colmeiad managers, one per namespace of a `NetworkLab`, each with its data dir on a
/// tmpfs of its own (so that its disk can be filled) and its API on a unix socket, made into
/// one swarm through the API (what `docker swarm init/join` send).
public final class ChaosCluster: @unchecked Sendable {
    public static let clusterPort = 2377
    public let count: Int
    public let directory: String
    let executable: String
    let diskMegabytes: Int
    let lab: NetworkLab
    private let lock = NSLock()
    private var processes: [Int: Process] = [:]
    private var mounted: Set<Int> = []

    public init(lab: NetworkLab, directory: String, executable: String, diskMegabytes: Int) {
        self.lab = lab
        self.count = lab.count
        self.directory = directory
        self.executable = executable
        self.diskMegabytes = diskMegabytes
    }

    public func socket(_ index: Int) -> String { directory + "/m\(index + 1).sock" }
    public func mountPoint(_ index: Int) -> String { directory + "/disk\(index + 1)" }
    func dataDirectory(_ index: Int) -> String { mountPoint(index) + "/data" }
    public func logPath(_ index: Int) -> String { directory + "/m\(index + 1).log" }
    func filler(_ index: Int) -> String { mountPoint(index) + "/filler" }
    public static func nodeName(_ index: Int) -> String { "chaos-\(index + 1)" }
    static func listenAddress(_ index: Int) -> String { "\(NetworkLab.address(index)):\(clusterPort)" }

    /// Mounts every manager's disk and starts the daemons.
    public func startAll() throws {
        for index in 0..<count {
            try FileManager.default.createDirectory(atPath: mountPoint(index), withIntermediateDirectories: true)
            try Shell.run(["mount", "-t", "tmpfs", "-o", "size=\(diskMegabytes)m", "cchaos-disk\(index + 1)", mountPoint(index)])
            lock.withLock { _ = mounted.insert(index) }
            try FileManager.default.createDirectory(atPath: dataDirectory(index), withIntermediateDirectories: true)
        }
        for index in 0..<count { try start(index) }
    }

    /// Starts manager `index` (again, on the same data dir) and waits until its API answers.
    public func start(_ index: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", NetworkLab.namespace(index), executable,
                             "--data-dir", dataDirectory(index), "--host", "unix://" + socket(index),
                             "--listen-addr", Self.listenAddress(index), "--node-name", Self.nodeName(index),
                             "--executor", "process", "--log-level", "info"]
        if !FileManager.default.fileExists(atPath: logPath(index)) {
            _ = FileManager.default.createFile(atPath: logPath(index), contents: nil)
        }
        let log = FileHandle(forWritingAtPath: logPath(index))
        _ = try? log?.seekToEnd()
        process.standardOutput = log ?? FileHandle.nullDevice
        process.standardError = log ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try? FileManager.default.removeItem(atPath: socket(index))
        do {
            try process.run()
        } catch {
            throw ChaosError("could not start colmeiad \(index + 1): \(error)")
        }
        lock.withLock { processes[index] = process }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? UnixHTTPClient.request(socket: socket(index), "GET", "/_ping", timeout: 1))?.status == 200 { return }
            if !process.isRunning {
                throw ChaosError("colmeiad \(index + 1) exited (\(process.terminationStatus)) at start; see \(logPath(index))")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ChaosError("colmeiad \(index + 1) did not answer on \(socket(index)) within 30 s; see \(logPath(index))")
    }

    public func pid(_ index: Int) -> Int32? {
        lock.withLock { processes[index].map(\.processIdentifier) }
    }

    /// SIGKILL: the process dies at once, whatever it was writing.
    public func kill(_ index: Int) {
        guard let process = lock.withLock({ processes.removeValue(forKey: index) }) else { return }
        Foundation.kill(process.processIdentifier, SIGCONT)
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func pause(_ index: Int) {
        if let pid = pid(index) { Foundation.kill(pid, SIGSTOP) }
    }

    public func resume(_ index: Int) {
        if let pid = pid(index) { Foundation.kill(pid, SIGCONT) }
    }

    public func isRunning(_ index: Int) -> Bool { lock.withLock { processes[index]?.isRunning ?? false } }

    /// Fills manager `index`'s disk with a filler file until the disk refuses more.
    public func fillDisk(_ index: Int) {
        let descriptor = open(filler(index), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0xAB, count: 1 << 20)
        while true {
            let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { break }
        }
        // The last bytes, so that not even a small write fits.
        let small = [UInt8](repeating: 0xAB, count: 512)
        while small.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }

    public func freeDisk(_ index: Int) {
        try? FileManager.default.removeItem(atPath: filler(index))
    }

    // MARK: - The swarm

    public func request(_ index: Int, _ method: String, _ path: String, json: Any? = nil, headers: [String: String] = [:],
                        timeout: Double) throws(UnixHTTPClient.Failure) -> UnixHTTPClient.Response {
        let body = json.flatMap { try? JSONSerialization.data(withJSONObject: $0) }
        return try UnixHTTPClient.request(socket: socket(index), method, "/v1.41" + path, body: body, headers: headers, timeout: timeout)
    }

    /// `swarm init` on manager 1, `swarm join` of the others as managers, then waits until every
    /// manager is a reachable voter.
    public func formSwarm() throws {
        let initialized = try? request(0, "POST", "/swarm/init",
                                       json: ["ListenAddr": Self.listenAddress(0), "AdvertiseAddr": Self.listenAddress(0)], timeout: 30)
        guard let initialized, initialized.status == 200 else {
            throw ChaosError("swarm init on manager 1 failed: \(initialized.map { "\($0.status) \($0.text)" } ?? "no answer")")
        }
        let swarm = try? request(0, "GET", "/swarm", timeout: 10)
        let object = swarm.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
        guard let token = (object?["JoinTokens"] as? [String: Any])?["Manager"] as? String else {
            throw ChaosError("no manager join token in GET /swarm: \(swarm?.text ?? "no answer")")
        }
        for index in 1..<count {
            let joined = try? request(index, "POST", "/swarm/join", json: [
                "ListenAddr": Self.listenAddress(index), "AdvertiseAddr": Self.listenAddress(index),
                "RemoteAddrs": [Self.listenAddress(0)], "JoinToken": token,
            ], timeout: 60)
            guard let joined, joined.status == 200 else {
                throw ChaosError("swarm join of manager \(index + 1) failed: \(joined.map { "\($0.status) \($0.text)" } ?? "no answer"); see \(logPath(index))")
            }
        }
        guard waitConverged(timeout: 60) else { throw ChaosError("the managers did not all become reachable within 60 s") }
    }

    /// Manager states as `index` sees them: node name → (reachability, leader).
    public func managers(seenBy index: Int, timeout: Double = 3) -> [String: (reachable: Bool, leader: Bool)]? {
        guard let answer = try? request(index, "GET", "/nodes", timeout: timeout), answer.status == 200,
              let list = try? JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]] else { return nil }
        var found: [String: (reachable: Bool, leader: Bool)] = [:]
        for node in list {
            let name = ((node["Description"] as? [String: Any])?["Hostname"] as? String) ?? "?"
            let status = node["ManagerStatus"] as? [String: Any]
            found[name] = ((status?["Reachability"] as? String) == "reachable", (status?["Leader"] as? Bool) == true)
        }
        return found
    }

    /// The index of the leader as some manager names it.
    public func leader() -> Int? {
        for index in 0..<count where isRunning(index) {
            if let seen = managers(seenBy: index),
               let name = seen.first(where: { $0.value.leader })?.key,
               let number = Int(name.dropFirst("chaos-".count)) {
                return number - 1
            }
        }
        return nil
    }

    /// Waits until every manager answers `/nodes` with all managers reachable and one leader.
    @discardableResult
    public func waitConverged(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let views = (0..<count).map { managers(seenBy: $0) }
            let converged = views.allSatisfy { view in
                guard let view else { return false }
                return view.count == count && view.values.allSatisfy(\.reachable) && view.values.filter(\.leader).count == 1
            }
            if converged { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    /// Kills every daemon and unmounts the disks.
    public func shutdown() {
        for index in 0..<count { kill(index) }
        let disks = lock.withLock { mounted }
        for index in disks.sorted() { Shell.tryRun(["umount", "-l", mountPoint(index)]) }
        lock.withLock { mounted.removeAll() }
    }

    /// Unmounts the disks of an earlier run of this program (by the tmpfs source name).
    public static func removeLeftoverMounts() {
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        for line in mounts.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ")
            guard fields.count > 1, fields[0].hasPrefix("cchaos-disk") else { continue }
            Shell.tryRun(["umount", "-l", String(fields[1])])
        }
    }
}
