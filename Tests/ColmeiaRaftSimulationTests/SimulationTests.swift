import ColmeiaRaftSimulation
import Testing

/// Seeded fault-injection runs across 3, 5 and 7 nodes (the cluster size cycles with the
/// seed), with crashes inside a Ready's handling on a disk that tears its last record, and
/// the transport's forgetLeader/reportUnreachable/reportSnapshot calls. Every run checks
/// election safety, log matching, leader completeness,
/// state-machine safety, applied ⊆ committed, linearizable reads and liveness after healing.
@Suite struct SimulationTests {
    static let batches = 0..<12
    static let seedsPerBatch: UInt64 = 50

    @Test("600 seeded scenarios keep every Raft invariant", arguments: batches)
    func seededScenarios(batch: Int) {
        var total = SimulationReport()
        let first = UInt64(batch) * Self.seedsPerBatch
        for seed in first..<(first + Self.seedsPerBatch) {
            var simulation = Simulation(options: .scenario(seed: seed))
            total.merge(simulation.run())
        }
        #expect(total.seeds == Int(Self.seedsPerBatch))
        #expect(total.violations.isEmpty, "\(total.violations.prefix(3))")
        // The runs must really exercise the cluster, not idle.
        #expect(total.commits > 1000)
        #expect(total.elections >= Int(Self.seedsPerBatch))
        #expect(total.faults > 0)
        // Crashes strike at every step of a Ready, torn records are cut off on recovery,
        // and the transport's calls reach the nodes.
        #expect(Set(total.crashesAt.keys) == Set(["beforePersist", "midPersist", "beforeSend", "midSend", "beforeApply",
                                                  "midApply", "beforeAdvance", "duringCompaction"]))
        #expect(total.tornWrites > 0)
        #expect(total.tornTailsDiscarded > 0)
        #expect(total.forgetLeaders > 0)
        #expect(total.unreachableReports > 0)
        #expect(total.snapshotReports > 0)
    }

    @Test("every cluster size makes progress under a hostile network")
    func hostileNetworkAllSizes() {
        for nodes in [3, 5, 7] {
            var simulation = Simulation(options: SimulationOptions(
                seed: 9_000 + UInt64(nodes), nodes: nodes, ticks: 400, lossRate: 0.2, duplicateRate: 0.1,
                maxDelay: 3, partitionRate: 0.03, crashRate: 0.02, membershipRate: 0.02, transferRate: 0.02,
                proposalRate: 1, readRate: 0.3, compactionThreshold: 10))
            let report = simulation.run()
            #expect(report.violations.isEmpty, "\(report.violations.prefix(3))")
            #expect(report.commits > 50)
            #expect(report.snapshotsSent > 0 || nodes > 3)
        }
    }

    @Test("a seed replays identically")
    func replayIsDeterministic() {
        for seed: UInt64 in [1, 77, 4242] {
            var first = Simulation(options: .scenario(seed: seed))
            var second = Simulation(options: .scenario(seed: seed))
            let a = first.run()
            let b = second.run()
            #expect(a.traceDigest == b.traceDigest)
            #expect(a.summary == b.summary)
            #expect(a.traceDigest != 0)
        }
        var other = Simulation(options: .scenario(seed: 2))
        var again = Simulation(options: .scenario(seed: 1))
        #expect(other.run().traceDigest != again.run().traceDigest)
    }

    @Test("a failing seed's replay line carries every option")
    func replayCommandNamesOptions() {
        let options = SimulationOptions.scenario(seed: 12)
        let line = options.replayCommand
        #expect(line.contains("--replay 12"))
        #expect(line.contains("--nodes \(options.nodes)"))
        #expect(line.contains("--loss \(options.lossRate)"))
        #expect(line.contains("--compact \(options.compactionThreshold)"))
        #expect(line.contains("--torn \(options.tornWriteRate)"))
        #expect(line.contains("--forget-leader \(options.forgetLeaderRate)"))
        #expect(!line.contains("--plant"))
    }
}
