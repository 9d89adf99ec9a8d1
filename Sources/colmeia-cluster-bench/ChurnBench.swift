import ArgumentParser
import Foundation

/// Issue 19's memory must-show: a swarm of real managers churns `--events` events (the
/// tasks of a `--replicas` service fail at once and are restarted, over and over) while the
/// managers' RSS and `state.db` are printed every `--print-every` events and the Raft term
/// and leader are checked for changes; then the managers are stopped (SIGTERM, then
/// SIGKILL), their `/dev/shm` entries erased as a reboot would, and started again: the
/// seconds until a linearizable read is served, and whether the read models were rebuilt.
///
/// An event is one audit record: one change applied through Raft on every manager (a task
/// created, assigned, its status changed, shut down or removed, …), as `GET /events`
/// followers and `GET /colmeia/v1/audit` see them; counted from the trail's length
/// (`X-Colmeia-Audit-Records`) from the moment the service is created.
struct ChurnBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churn",
        abstract: "RSS and state.db of the managers while a restarting service churns 1,000,000 events; then a reboot.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Events (audit records) to churn.") var events = 1_000_000
    @Option(help: "Replicas of the churning service.") var replicas = 200
    @Option(help: "Print the figures every this many events.") var printEvery = 100_000
    @Option(help: "Worker daemons that run the tasks (process executor); 0: the managers run them.") var workers = 2
    @Option(help: "What each task runs (sh -c): it fails, and the restart policy (condition any) replaces it.")
    var taskCommand = "exit 1"
    @Option(help: "The restart policy's delay, in milliseconds.") var restartDelayMs = 0
    @Option(help: "Bound on each manager's RSS, in MB (the verdict fails beyond it).") var rssBoundMb = 600
    @Option(help: "Bound on each manager's state.db with its WAL, in MB (the verdict fails beyond it).") var stateBoundMb = 300
    @Option(help: "Bound on the seconds until a rebooted swarm serves a linearizable read.") var rebootBoundSeconds = 2.0
    @Option(help: "Seconds without a new event after which the run is abandoned.") var stallSeconds = 120
    @Option(help: "Seconds a rebooted swarm has to serve again (it may replay its whole log) before the run is abandoned.")
    var rebootTimeout = 1_800

    func run() async throws {
        let swarm = try BenchCluster(cluster)
        do {
            try await churn(swarm)
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
    }

    /// Figures of one manager at one moment.
    private struct Sample {
        var rss: Int
        var state: DaemonFigures.StateDatabase
        var term: Int
        var isLeader: Bool
        var leaderChanges: Int
        var snapshots: Int
        /// The longest snapshot took at most this long (the histogram's bucket bound).
        var snapshotSeconds: Double
    }

    private func churn(_ swarm: BenchCluster) async throws {
        let managers = Array(0..<cluster.managers)
        try await swarm.formSwarm()
        let workerIndexes = try await swarm.addWorkers(workers)
        let leader = try await swarm.currentLeader()
        let before = try await managers.asyncMap { try await sample(swarm, $0) }
        let term = before[leader].term
        guard before.allSatisfy({ $0.term == term }) else { throw BenchError("the managers disagree on the term at the start") }
        let baseline = try await head(swarm, preferring: leader)
        try await createService(swarm, leader)
        report("churn: \(cluster.managers) managers, \(workers == 0 ? "the managers run" : "\(workers) worker daemons run") the tasks of service churn "
               + "(\(replicas) replicas, `sh -c '\(taskCommand)'`, process executor, restart condition any, delay \(restartDelayMs) ms); "
               + "leader bench-\(leader + 1), term \(term); counting \(events) events (audit records applied) from index \(baseline.index)")
        report("     events  elapsed    rate/s | per manager (bench-1, bench-2, …): RSS (peak, sampled each second); state.db+wal [where] | term, leader, snapshots (each ≤ s) | workers' RSS")

        let cpu = { (indexes: [Int]) in indexes.map { swarm.pid($0).map(DaemonFigures.cpuSeconds) ?? 0 } }
        let cpuBefore = (managers: cpu(managers), workers: cpu(workerIndexes))
        let started = ContinuousClock.now
        var peakRSS = [Int](repeating: 0, count: managers.count)
        var peakState = [Int](repeating: 0, count: managers.count)
        var changes: [String] = []
        var nextPrint = printEvery
        var count = 0
        var lastGrowth = ContinuousClock.now
        var lastCount = 0
        var lastPrint = (count: 0, at: started)
        var lastSamples = before
        while count < events {
            try await Task.sleep(for: .seconds(1))
            count = try await head(swarm, preferring: leader).records - baseline.records
            // A manager that does not answer keeps its last figures (a change of leader
            // still shows on the others).
            var samples = lastSamples
            for index in managers {
                if let fresh = try? await sample(swarm, index) { samples[index] = fresh }
            }
            lastSamples = samples
            for index in managers {
                peakRSS[index] = max(peakRSS[index], samples[index].rss)
                peakState[index] = max(peakState[index], samples[index].state.bytes)
            }
            if let change = Self.change(from: before, to: samples, leader: leader, term: term), !changes.contains(change) {
                changes.append(change)
                report("LEADER CHANGE: \(change)")
            }
            if count > lastCount {
                lastCount = count
                lastGrowth = .now
            } else if ContinuousClock.now - lastGrowth > .seconds(stallSeconds) {
                throw BenchError("no new event for \(stallSeconds) s at \(count) events")
            }
            if count >= nextPrint || count >= events {
                let now = ContinuousClock.now
                let rate = Double(count - lastPrint.count) / Self.seconds(now - lastPrint.at)
                report(String(format: "%11d %7.0f s %9.0f", count, Self.seconds(now - started), rate) + " | "
                       + managers.map { index in
                           let sample = samples[index]
                           return "\(DaemonFigures.megabytes(sample.rss)) (peak \(DaemonFigures.megabytes(peakRSS[index]))); "
                               + "\(DaemonFigures.megabytes(sample.state.bytes)) [\(sample.state.location)]"
                       }.joined(separator: " | ")
                       + " | term \(samples[leader].term), leader bench-\((samples.firstIndex(where: \.isLeader) ?? -1) + 1), "
                       + samples.map { String(format: "%d (≤ %g)", $0.snapshots, $0.snapshotSeconds) }.joined(separator: "/")
                       + (workerIndexes.isEmpty ? "" : " | workers' RSS "
                          + workerIndexes.map { DaemonFigures.megabytes(swarm.pid($0).map(DaemonFigures.rss) ?? 0) }.joined(separator: ", ")))
                lastPrint = (count, now)
                while nextPrint <= count { nextPrint += printEvery }
            }
        }
        let elapsed = Self.seconds(ContinuousClock.now - started)
        let final = try await head(swarm, preferring: leader)
        report(String(format: "churned %d events in %.0f s (%.0f/s); log index %llu → %llu", count, elapsed, Double(count) / elapsed,
                      baseline.index, final.index))
        // Where the time went: if the managers' share is most of it, more task churn from
        // workers (real or simulated) could not make the events come faster on this machine.
        let managerCPU = zip(cpu(managers), cpuBefore.managers).map { $0 - $1 }
        let workerCPU = zip(cpu(workerIndexes), cpuBefore.workers).map { $0 - $1 }.reduce(0, +)
        report(String(format: "CPU over the churn: managers %@ s, workers %.0f s (%.1f ms of manager CPU per event)",
                      managerCPU.map { String(format: "%.0f", $0) }.joined(separator: " + "), workerCPU,
                      managerCPU.reduce(0, +) * 1000 / Double(max(count, 1))))

        // The reboot: workers first (their tasks go with them), then the managers, twice.
        // From now on the managers log at info at least, so that how they open their read
        // models shows whatever level it is logged at.
        for worker in workerIndexes { await swarm.terminate(worker) }
        if ["notice", "warning", "error", "critical"].contains(swarm.logLevel) { swarm.logLevel = "info" }
        var reboots: [Reboot] = []
        for signal in [SIGTERM, SIGKILL] {
            reboots.append(try await reboot(swarm, managers: managers, signal: signal))
        }

        let worstRSS = peakRSS.max() ?? 0
        let worstState = peakState.max() ?? 0
        let rssOK = worstRSS <= rssBoundMb * 1_000_000
        let stateOK = worstState <= stateBoundMb * 1_000_000
        let rebootOK = reboots.allSatisfy { $0.seconds < rebootBoundSeconds }
        let rebuilt = reboots.contains { $0.rebuilt == true }
        let snapshots = lastSamples.map(\.snapshots).reduce(0, +) - before.map(\.snapshots).reduce(0, +)
        let verdict = rssOK && stateOK && changes.isEmpty && rebootOK && !rebuilt
        report("")
        report("verdict: \(verdict ? "PASS" : "FAIL") — \(count) events, \(replicas) replicas; "
               + "max RSS per manager \(DaemonFigures.megabytes(worstRSS)) (bound \(rssBoundMb) MB\(rssOK ? "" : ", EXCEEDED")), "
               + "max state.db+wal \(DaemonFigures.megabytes(worstState)) (bound \(stateBoundMb) MB\(stateOK ? "" : ", EXCEEDED")), "
               + "leader changes \(changes.count) (term \(term) throughout\(changes.isEmpty ? "" : ": NO")) over \(snapshots) snapshots, "
               + "reboot to first linearizable read " + reboots.map { String(format: "%.2f s", $0.seconds) }.joined(separator: " (SIGTERM), ")
               + " (SIGKILL) (bound \(rebootBoundSeconds) s\(rebootOK ? "" : ", EXCEEDED")), read models "
               + (rebuilt ? "REBUILT" : reboots.allSatisfy { $0.rebuilt == false } ? "reused" : "not reported"))
        report("peak RSS: " + managers.map { "bench-\($0 + 1) \(DaemonFigures.megabytes(peakRSS[$0]))" }.joined(separator: ", ")
               + "; peak state.db+wal: " + managers.map { "bench-\($0 + 1) \(DaemonFigures.megabytes(peakState[$0]))" }.joined(separator: ", "))
        if !verdict { throw ExitCode(1) }
    }

    /// What one reboot showed.
    private struct Reboot {
        /// Until the first `GET /services` answered 200.
        var seconds: Double
        /// Whether any manager rebuilt its read models from scratch (it said it opened them
        /// at index 0, or it said nothing and they were in `/dev/shm`); nil: none said.
        var rebuilt: Bool?
    }

    /// Stops every manager with `signal`, erases their `/dev/shm` entries (a reboot clears
    /// it), starts them together and times the first `GET /services` answered 200 (a
    /// linearizable read: the leader confirms its lease with a quorum).
    private func reboot(_ swarm: BenchCluster, managers: [Int], signal: Int32) async throws -> Reboot {
        let name = signal == SIGKILL ? "SIGKILL" : "SIGTERM"
        let offsets = managers.map { DaemonFigures.size(of: swarm.logPath($0)) }
        var applied: [Int] = []
        for index in managers { applied.append(Int((try? await swarm.metrics(index))?["colmeia_raft_applied_index"] ?? 0)) }
        // All at once, as a machine going down stops them.
        let clean = await withTaskGroup(of: Bool.self) { group in
            for index in managers {
                group.addTask {
                    if signal == SIGKILL {
                        swarm.kill(index)
                        return false
                    }
                    return await swarm.terminate(index)
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        let location = managers.map { DaemonFigures.stateDatabase(of: swarm.daemons[$0].dataDirectory).location }
        let erased = managers.map { DaemonFigures.eraseMemoryDirectories(of: swarm.daemons[$0].dataDirectory) }
        let started = ContinuousClock.now
        for index in managers { try swarm.launch(index) }
        let first = try await Self.firstAnswer(swarm, managers: managers, timeout: TimeInterval(rebootTimeout))
        let firstSeconds = Self.seconds(first.at - started)
        try await swarm.until("every manager serves a linearizable read", timeout: TimeInterval(rebootTimeout)) {
            for index in managers {
                guard try await swarm.request(index, "GET", "/services", timeout: .seconds(5)).status == 200 else { return false }
            }
            return true
        }
        let allSeconds = Self.seconds(ContinuousClock.now - started)
        report("")
        report("reboot after \(name)\(signal == SIGTERM ? " (exited on their own: \(clean.filter { $0 }.count)/\(managers.count))" : ""): "
               + "applied index \(applied.map(String.init).joined(separator: "/")) at the stop; "
               + "erased /dev/shm entries \(erased.map(String.init).joined(separator: "/")) (state.db was in \(location.joined(separator: "/"))); "
               + String(format: "first linearizable read (GET /services 200) after %.2f s from bench-%d, every manager after %.2f s",
                        firstSeconds, first.index + 1, allSeconds))
        var rebuilt: Bool?
        for index in managers {
            let opening = Self.openingReport(in: swarm.logPath(index), from: offsets[index])
            if let opening {
                rebuilt = (rebuilt ?? false) || opening.index == 0
                report("  bench-\(index + 1): read models at index \(opening.index) on opening (\(opening.index == 0 ? "rebuilt" : "reused")), "
                       + "replayed \(opening.replayed) entries from the log")
            } else if erased[index] > 0 {
                rebuilt = true
                report("  bench-\(index + 1): read models on opening: not reported by this colmeiad; they were in /dev/shm, so they were rebuilt from the snapshot and the log")
            } else {
                report("  bench-\(index + 1): read models on opening: not reported by this colmeiad")
            }
        }
        return Reboot(seconds: firstSeconds, rebuilt: rebuilt)
    }

    /// The first manager to answer `GET /services` with 200, polled every 20 ms on each.
    private static func firstAnswer(_ swarm: BenchCluster, managers: [Int], timeout: TimeInterval) async throws
        -> (index: Int, at: ContinuousClock.Instant) {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeout * 1000)))
        let winner = await withTaskGroup(of: (Int, ContinuousClock.Instant)?.self) { group in
            for index in managers {
                group.addTask {
                    while ContinuousClock.now < deadline && !Task.isCancelled {
                        if (try? await swarm.request(index, "GET", "/services", timeout: .seconds(2)))?.status == 200 {
                            return (index, ContinuousClock.now)
                        }
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    return nil
                }
            }
            for await result in group {
                if let result {
                    group.cancelAll()
                    return Optional(result)
                }
            }
            return nil
        }
        guard let winner else { throw BenchError("no manager served GET /services within \(Int(timeout)) s of the reboot") }
        return winner
    }

    /// `read models at index <A> on opening; replaying <N> entries from the log`, the last
    /// one logged after byte `offset` of the daemon's log.
    static func openingReport(in logPath: String, from offset: Int) -> (index: UInt64, replayed: UInt64)? {
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil, let data = try? handle.readToEnd() else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        var found: (UInt64, UInt64)?
        for line in text.split(separator: "\n") {
            guard let range = line.range(of: "read models at index ") else { continue }
            let rest = line[range.upperBound...]
            let index = rest.prefix { $0.isNumber }
            guard let replaying = rest.range(of: "replaying ") else { continue }
            let replayed = rest[replaying.upperBound...].prefix { $0.isNumber }
            if let index = UInt64(index), let replayed = UInt64(replayed) { found = (index, replayed) }
        }
        return found
    }

    /// How the Raft state moved from the start, if it did.
    private static func change(from start: [Sample], to now: [Sample], leader: Int, term: Int) -> String? {
        let leaders = now.indices.filter { now[$0].isLeader }
        let terms = Set(now.map(\.term))
        let seen = zip(start, now).map { $1.leaderChanges - $0.leaderChanges }
        if terms == [term] && leaders == [leader] && seen.allSatisfy({ $0 == 0 }) { return nil }
        return "terms \(now.map(\.term)), leaders \(leaders.map { "bench-\($0 + 1)" }), leader changes seen \(seen) (started: term \(term), bench-\(leader + 1))"
    }

    private func sample(_ swarm: BenchCluster, _ index: Int) async throws -> Sample {
        let metrics = try await swarm.metrics(index)
        let value = { (name: String) in metrics[name] ?? 0 }
        guard let term = metrics["colmeia_raft_term"] else { throw BenchError("bench-\(index + 1) reports no colmeia_raft_term") }
        // A histogram: how many snapshots, and the smallest bucket bound that holds them all.
        let snapshots = metrics["colmeia_raft_snapshot_duration_seconds_count"] ?? 0
        let bounds = metrics.compactMap { series, count -> Double? in
            guard series.hasPrefix("colmeia_raft_snapshot_duration_seconds_bucket{"), count >= snapshots,
                  let le = series.split(separator: "\"").dropFirst().first else { return nil }
            return Double(le) ?? (le == "+Inf" ? .infinity : nil)
        }
        return Sample(rss: swarm.pid(index).map(DaemonFigures.rss) ?? 0,
                      state: DaemonFigures.stateDatabase(of: swarm.daemons[index].dataDirectory),
                      term: Int(term), isLeader: value("colmeia_raft_is_leader") == 1,
                      leaderChanges: Int(value("colmeia_raft_leader_changes_seen_total")),
                      snapshots: Int(snapshots), snapshotSeconds: snapshots > 0 ? (bounds.min() ?? .infinity) : 0)
    }

    private func createService(_ swarm: BenchCluster, _ index: Int) async throws {
        let placement = workers > 0 ? #","Placement":{"Constraints":["node.role==worker"]}"# : ""
        let command = String(decoding: try JSONSerialization.data(withJSONObject: ["sh", "-c", taskCommand]), as: UTF8.self)
        let spec = """
            {"Name":"churn","Mode":{"Replicated":{"Replicas":\(replicas)}},"TaskTemplate":{"ContainerSpec":{"Image":"busybox:1","Command":\(command)},
             "RestartPolicy":{"Condition":"any","Delay":\(restartDelayMs * 1_000_000)}\(placement)}}
            """
        let created = try await swarm.request(index, "POST", "/services/create", body: spec)
        guard created.status == 201 else { throw BenchError("service create: \(created.status) \(created.body)") }
    }

    /// The audit trail's length and last index, asked of `preferring`, else of the other managers.
    private func head(_ swarm: BenchCluster, preferring index: Int) async throws -> (records: Int, index: UInt64) {
        var failure: any Error = BenchError("no manager answered")
        for manager in [index] + (0..<cluster.managers).filter({ $0 != index }) {
            do {
                let answer = try await swarm.requestHeaders(manager, "/colmeia/v1/audit?limit=1")
                guard let records = answer["x-colmeia-audit-records"].flatMap({ Int($0) }),
                      let head = answer["x-colmeia-audit-head"].flatMap({ UInt64($0) }) else {
                    throw BenchError("no audit head in the answer's headers")
                }
                return (records, head)
            } catch {
                failure = error
            }
        }
        throw failure
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension Array {
    /// `map` with an async transform, one element after the other.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
