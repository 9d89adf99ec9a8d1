import ColmeiaRaftSimulation
import Testing

/// The sweep can fail: with a bug planted in the harness, the checker reports a violation
/// of a property that reveals it within a bounded number of seeds (the same scenarios as
/// the real sweep, from seed 0). Today they take 1, 148, 1 and 52 seeds; the bound is 300,
/// above the worst case seen over eight windows of 1,000 seeds (199, skip-log-matching).
@Suite struct PlantedBugTests {
    static let bound: UInt64 = 300

    @Test("the sweep catches each planted bug within 300 seeds", arguments: PlantedBug.allCases)
    func plantedBugIsCaught(bug: PlantedBug) {
        let caught = PlantedBugSweep.run(bug, seeds: 0..<Self.bound)
        #expect(caught != nil, "\(bug.rawValue) was not caught in \(Self.bound) seeds")
        if let caught {
            #expect(bug.revealedBy.contains(caught.violation.invariant))
            #expect(caught.seedsRun <= Int(Self.bound))
            // The replay line reproduces the catch, planted bug included.
            #expect(caught.violation.options.replayCommand.contains("--plant \(bug.rawValue)"))
        }
    }

    @Test("the planted bugs name the properties that catch them")
    func namedProperties() {
        #expect(PlantedBug.applyOutOfOrder.revealedBy == ["apply order"])
        #expect(PlantedBug.skipLogMatching.revealedBy.contains("log matching"))
        #expect(PlantedBug.allCases.allSatisfy { !$0.revealedBy.contains("liveness") })
        #expect(PlantedBug(rawValue: "ack-before-fsync") == .acknowledgeBeforeFsync)
    }

    @Test("without a planted bug, the seeds that catch the planted ones run clean")
    func unplantedRunsAreClean() {
        for seed: UInt64 in [0, 51, 147] {
            var simulation = Simulation(options: .scenario(seed: seed))
            let report = simulation.run()
            #expect(report.violations.isEmpty, "\(report.violations.prefix(2))")
        }
    }
}
