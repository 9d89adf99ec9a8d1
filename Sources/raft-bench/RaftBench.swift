import ArgumentParser
import ColmeiaRaft
import Foundation
import Synchronization

/// Measures a 3-node in-process Raft cluster writing real WAL files with fsync: proposals
/// per second and commit latency (proposal to applied on the leader) at several levels of
/// concurrency. Prints figures; asserts nothing.
@main
struct RaftBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-bench",
        abstract: "Throughput and commit latency of a 3-node ColmeiaRaft cluster on real disks.",
        discussion: "Example: swift run -c release raft-bench --seconds 5 --concurrency 1,16,256"
    )

    @Option(help: "Directory for the nodes' data (a fresh subdirectory is created).") var directory = "/var/tmp"
    @Option(help: "Seconds to run each concurrency level.") var seconds = 5.0
    @Option(help: "Comma-separated numbers of concurrent proposers.") var concurrency = "1,16,256"
    @Option(help: "Bytes per proposal.") var payload = 128

    func run() async throws {
        let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        print("raft-bench: 3 nodes, WAL with fsync, payload \(payload) B, \(seconds) s per level")
        print("proposers  proposals/s   p50 ms    p99 ms   entries/fsync(leader)")
        for level in levels {
            let root = "\(directory)/colmeia-raft-bench-\(getpid())-\(level)"
            try? FileManager.default.removeItem(atPath: root)
            defer { try? FileManager.default.removeItem(atPath: root) }
            let result = try await measure(root: root, proposers: level)
            print(String(format: "%9d  %11.0f  %8@  %8@   %.1f", level, result.throughput,
                         result.p50.milliseconds, result.p99.milliseconds, result.entriesPerFsync))
        }
        let peak = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("VmHWM") }
        print("peak memory: \(peak.map { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().joined(separator: " ") } ?? "unknown")")
    }

    struct Result {
        var throughput: Double
        var p50: Duration
        var p99: Duration
        var entriesPerFsync: Double
    }

    private func measure(root: String, proposers: Int) async throws -> Result {
        let ids: [NodeID] = [1, 2, 3]
        let nodes = ids.map { BenchNode(id: $0) }
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        let waiters = ProposalWaiters()
        for node in nodes {
            try node.start(directory: "\(root)/node-\(node.id)", voters: ids, campaign: node.id == 1,
                           peers: { byID[$0] }, waiters: waiters)
        }
        defer { for node in nodes { node.stop() } }
        let leader = nodes[0]
        // Wait for node 1 to lead and commit: one proposal must round-trip.
        let nextID = ProposalCounter()
        var warmedUp = false
        for _ in 0..<100 where !warmedUp {
            warmedUp = await Self.proposeOnce(leader: leader, waiters: waiters, id: nextID.next(), payload: payload)
            if !warmedUp { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard warmedUp else { throw ValidationError("the benchmark cluster did not elect node 1") }

        let latencies = LatencyRecorder()
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        let before = leader.counters.withLock { $0 }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<proposers {
                group.addTask {
                    while clock.now < deadline {
                        let id = nextID.next()
                        let began = clock.now
                        if await Self.proposeOnce(leader: leader, waiters: waiters, id: id, payload: payload) {
                            latencies.record(began.duration(to: clock.now))
                        }
                    }
                }
            }
        }
        let elapsed = start.duration(to: clock.now)
        let after = leader.counters.withLock { $0 }
        let fsyncs = max(1, after.fsyncs - before.fsyncs)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(throughput: Double(latencies.count) / seconds, p50: latencies.percentile(0.5),
                      p99: latencies.percentile(0.99),
                      entriesPerFsync: Double(after.entriesPersisted - before.entriesPersisted) / Double(fsyncs))
    }

    private static func proposeOnce(leader: BenchNode, waiters: ProposalWaiters, id: UInt64, payload: Int) async -> Bool {
        var data = [UInt8](repeating: 0x2A, count: max(8, payload))
        for position in 0..<8 { data[position] = UInt8(truncatingIfNeeded: id >> (8 * UInt64(position))) }
        return await withCheckedContinuation { continuation in
            waiters.park(id, continuation)
            leader.submit(id: id, data: data)
        }
    }
}
