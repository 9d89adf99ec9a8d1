import ArgumentParser
import ColmeiaRaftSimulation

/// Runs many seeded Raft simulations, or replays one, and prints a one-line summary.
@main
struct RaftSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-sim",
        abstract: "Deterministic fault-injection simulation of ColmeiaRaft.",
        discussion: """
            Examples:
              raft-sim --seeds 5000            # seeds 0..<5000, cluster size cycling 3/5/7
              raft-sim --seeds 100 --start 7000 --ticks 1000
              raft-sim --replay 1234 --nodes 5 ...   # the exact line a failing seed prints
              raft-sim --plant commit-without-quorum --seeds 200   # the sweep must catch it
            Planted bugs: \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", ")).
            """
    )

    @Option(help: "Number of seeded scenarios to run.") var seeds = 500
    @Option(help: "First seed.") var start: UInt64 = 0
    @Option(help: "Ticks of faults per scenario.") var ticks = 300
    @Option(help: "Replay one run with explicit options (as printed for a failing seed).") var replay: UInt64?
    @Option var nodes = 3
    @Option var loss = 0.05
    @Option var duplicate = 0.02
    @Option(name: .customLong("max-delay")) var maxDelay = 2
    @Option var partition = 0.01
    @Option var crash = 0.005
    @Option var membership = 0.01
    @Option var transfer = 0.005
    @Option var propose = 0.5
    @Option var read = 0.1
    @Option var compact: UInt64 = 30
    @Option var torn = 0.5
    @Option(name: .customLong("forget-leader")) var forgetLeader = 0.01
    @Option(help: "Plant a bug in the harness; succeeds only if the checker catches it within --seeds seeds.")
    var plant: String?
    @Flag(help: "Print every violation, not only the first few.") var verbose = false

    func run() throws {
        var planted: PlantedBug?
        if let plant {
            guard let bug = PlantedBug(rawValue: plant) else {
                throw ValidationError("unknown bug '\(plant)'; known: \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            planted = bug
        }
        if let planted, replay == nil { return try sweep(planting: planted) }
        var total = SimulationReport()
        if let seed = replay {
            let options = SimulationOptions(
                seed: seed, nodes: nodes, ticks: ticks, lossRate: loss, duplicateRate: duplicate,
                maxDelay: maxDelay, partitionRate: partition, crashRate: crash, membershipRate: membership,
                transferRate: transfer, proposalRate: propose, readRate: read, compactionThreshold: compact,
                tornWriteRate: torn, forgetLeaderRate: forgetLeader, plant: planted)
            var simulation = Simulation(options: options)
            total = simulation.run()
            print("trace=\(String(total.traceDigest, radix: 16))")
        } else {
            for seed in start..<(start + UInt64(seeds)) {
                var simulation = Simulation(options: .scenario(seed: seed, ticks: ticks))
                total.merge(simulation.run())
            }
        }
        print(total.summary)
        for violation in total.violations.prefix(verbose ? .max : 5) {
            print(violation)
        }
        if !total.violations.isEmpty { throw ExitCode.failure }
    }

    /// Runs seeds with a bug planted until the checker catches it.
    private func sweep(planting bug: PlantedBug) throws {
        guard let caught = PlantedBugSweep.run(bug, seeds: start..<(start + UInt64(seeds)), ticks: ticks) else {
            print("planted \(bug.rawValue): NOT caught in \(seeds) seeds")
            throw ExitCode.failure
        }
        print("planted \(bug.rawValue): caught after \(caught.seedsRun) seed(s) by \(caught.violation.invariant)")
        print(caught.violation)
    }
}
