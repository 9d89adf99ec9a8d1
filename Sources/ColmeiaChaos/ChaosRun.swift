import Foundation

/// One run: namespaces and managers up, the workload and the faults for the duration, every
/// fault healed, the final reads on every manager, then the checkers. Everything it made is
/// removed at the end, also when it fails.
public final class ChaosRun: @unchecked Sendable {
    public struct Options: Sendable {
        public var managers: Int
        public var duration: Double
        public var seed: UInt64
        public var keep: Bool
        public var clients: Int
        public var executable: String
        public var diskMegabytes: Int
        public var recoveryLimit: Double

        public init(managers: Int, duration: Double, seed: UInt64, keep: Bool, clients: Int, executable: String,
                    diskMegabytes: Int = 256, recoveryLimit: Double = 5) {
            self.managers = managers
            self.duration = duration
            self.seed = seed
            self.keep = keep
            self.clients = clients
            self.executable = executable
            self.diskMegabytes = diskMegabytes
            self.recoveryLimit = recoveryLimit
        }
    }

    let options: Options
    public let directory: String
    private let lock = NSLock()
    private var cluster: ChaosCluster?
    private var lab: NetworkLab?
    private var cleaned = false

    public init(_ options: Options) {
        self.options = options
        directory = FileManager.default.temporaryDirectory.path + "/colmeia-chaos-\(getpid())"
    }

    static func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Removes what an earlier run of this program left: its managers, namespaces, links and
    /// disks (all named `cchaos…`).
    public static func removeLeftovers() {
        NetworkLab.removeAll()
        ChaosCluster.removeLeftoverMounts()
    }

    /// Runs, then cleans up: the files stay with `--keep`, and whenever the run fails.
    public func run() throws -> ChaosReport {
        do {
            let report = try runInside()
            cleanUp(keepFiles: options.keep || !report.passed)
            return report
        } catch {
            cleanUp(keepFiles: true)
            throw error
        }
    }

    func runInside() throws -> ChaosReport {
        guard geteuid() == 0 else { throw ChaosError("colmeia-chaos needs root: it makes network namespaces, iptables rules and tmpfs mounts") }
        for tool in ["ip", "iptables", "mount"] where (try? Shell.run(["which", tool])) == nil {
            throw ChaosError("`\(tool)` is missing: install iproute2, iptables and mount")
        }
        guard FileManager.default.isExecutableFile(atPath: options.executable) else {
            throw ChaosError("colmeiad not found at \(options.executable); build it (swift build -c release --product colmeiad) or pass --colmeiad")
        }
        Self.removeLeftovers()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        Self.say("colmeia-chaos: \(options.managers) managers, seed \(options.seed), \(Int(options.duration)) s; files in \(directory)")
        let lab = try NetworkLab(count: options.managers)
        lock.withLock { self.lab = lab }
        let cluster = ChaosCluster(lab: lab, directory: directory, executable: options.executable, diskMegabytes: options.diskMegabytes)
        lock.withLock { self.cluster = cluster }
        try cluster.startAll()
        try cluster.formSwarm()
        Self.say("swarm formed: \(options.managers) managers on 10.77.0.2–\(options.managers + 1), leader m\((cluster.leader() ?? -1) + 1)")

        let recorder = HistoryRecorder()
        let pool = KeyPool()
        let workload = Workload(cluster: cluster, recorder: recorder, pool: pool, clients: options.clients, seed: options.seed)
        let nemesis = Nemesis(cluster: cluster, lab: lab, recorder: recorder, seed: options.seed) { Self.say($0) }
        workload.start()
        var faultError: Error?
        do {
            try nemesis.run(until: recorder.now() + options.duration)
        } catch {
            faultError = error
        }
        nemesis.healEverything()
        let converged = cluster.waitConverged(timeout: 60)
        // A few seconds of calm traffic after the last heal, then the clients stop.
        Thread.sleep(forTimeInterval: 3)
        workload.stop()
        if let faultError { throw ChaosError("injecting a fault failed: \(faultError)") }
        if !converged { Self.say("warning: the managers did not all report each other reachable within 60 s of the last heal") }

        // The final reads: every key on every manager, recorded in the history too. A manager
        // gets 60 s of retries in all; past that its remaining keys count as not shown.
        var final: [String: [Int: Observation?]] = [:]
        for manager in 0..<cluster.count {
            var retrying = 0.0
            for key in pool.keys {
                var seen: Observation?
                while seen == nil, retrying < 60 {
                    let id = recorder.invoke(process: 1_000_000 + manager, manager: manager, kind: .read, key: key.name)
                    let started = Date()
                    let (outcome, observation, detail) = RegisterAPI.read(cluster, manager, key, timeout: 10)
                    recorder.complete(id, outcome, observation: observation, detail: detail)
                    if outcome == .ok {
                        seen = observation
                    } else {
                        Thread.sleep(forTimeInterval: 0.2)
                        retrying += Date().timeIntervalSince(started)
                    }
                }
                final[key.name, default: [:]][manager] = seen
            }
            if retrying >= 60 { Self.say("warning: manager \(manager + 1) did not answer every final read within 60 s of retries") }
        }
        let history = recorder.history
        try? recorder.write(to: directory + "/history.jsonl")
        let faultLog = nemesis.history.map(\.description).joined(separator: "\n") + "\n"
        try? faultLog.write(toFile: directory + "/faults.log", atomically: true, encoding: .utf8)
        Self.say("checking \(history.count) operations…")
        let linearizability = LinearizabilityChecker.check(history)
        let durability = DurabilityChecker.check(history: history, final: final, managers: cluster.count)
        let report = ChaosReport(managers: options.managers, seed: options.seed, duration: options.duration, history: history,
                                 faults: nemesis.history, linearizability: linearizability, durability: durability,
                                 recoveryLimit: options.recoveryLimit)
        try? report.render().write(toFile: directory + "/report.txt", atomically: true, encoding: .utf8)
        return report
    }

    /// Stops the managers, removes namespaces, links and mounts, and the files unless kept (or
    /// the run failed: then its logs and history stay for a post-mortem).
    public func cleanUp(keepFiles: Bool? = nil) {
        let (cluster, lab, done) = lock.withLock { () -> (ChaosCluster?, NetworkLab?, Bool) in
            defer { cleaned = true }
            return (self.cluster, self.lab, cleaned)
        }
        guard !done else { return }
        cluster?.shutdown()
        lab?.remove()
        Self.removeLeftovers()
        if keepFiles ?? options.keep {
            Self.say("logs, history and report kept in \(directory)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
