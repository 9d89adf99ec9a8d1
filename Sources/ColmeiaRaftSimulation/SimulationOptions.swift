import ColmeiaRaft

/// The shape of one simulated run. Everything random in a run is drawn from `seed`, so a
/// seed and these options replay the run exactly.
public struct SimulationOptions: Sendable, Hashable, CustomStringConvertible {
    public var seed: UInt64
    /// Initial voters: 3, 5 or 7.
    public var nodes: Int
    /// Ticks of faulty operation before the network heals for the liveness check.
    public var ticks: Int
    /// Probability that a message is lost.
    public var lossRate: Double
    /// Probability that a message is delivered twice.
    public var duplicateRate: Double
    /// Messages are delayed uniformly by 0...maxDelay ticks, which also reorders them.
    public var maxDelay: Int
    /// Per-tick probability of starting a partition (symmetric, one-way, or isolation).
    public var partitionRate: Double
    /// Per-tick probability of crashing a node (losing what it had not synced). Two crashes
    /// in three strike inside the node's next `Ready`, at a random step of its handling.
    public var crashRate: Double
    /// Probability that a crash tears the record being written (partly on disk; recovery
    /// cuts it off as the WAL cuts a torn tail).
    public var tornWriteRate: Double
    /// Per-tick probability that the transport tells a follower its leader is gone while
    /// it may be alive (a slow or cut connection); a crashed leader is always reported.
    public var forgetLeaderRate: Double
    /// A bug to plant in the harness, to show the checker catches it; nil for real runs.
    public var plant: PlantedBug?
    /// Per-tick probability of a membership change, and of a leadership transfer.
    public var membershipRate: Double
    public var transferRate: Double
    /// Per-tick probability of a client proposal, and of a linearizable read.
    public var proposalRate: Double
    public var readRate: Double
    /// Applied entries past the last snapshot before a node compacts its log.
    public var compactionThreshold: UInt64

    public init(seed: UInt64, nodes: Int = 3, ticks: Int = 300, lossRate: Double = 0.05,
                duplicateRate: Double = 0.02, maxDelay: Int = 2, partitionRate: Double = 0.01,
                crashRate: Double = 0.005, membershipRate: Double = 0.01, transferRate: Double = 0.005,
                proposalRate: Double = 0.5, readRate: Double = 0.1, compactionThreshold: UInt64 = 30,
                tornWriteRate: Double = 0.5, forgetLeaderRate: Double = 0.01, plant: PlantedBug? = nil) {
        self.seed = seed
        self.nodes = nodes
        self.ticks = ticks
        self.lossRate = lossRate
        self.duplicateRate = duplicateRate
        self.maxDelay = maxDelay
        self.partitionRate = partitionRate
        self.crashRate = crashRate
        self.membershipRate = membershipRate
        self.transferRate = transferRate
        self.proposalRate = proposalRate
        self.readRate = readRate
        self.compactionThreshold = compactionThreshold
        self.tornWriteRate = tornWriteRate
        self.forgetLeaderRate = forgetLeaderRate
        self.plant = plant
    }

    /// A scenario derived from the seed alone: cluster size cycles 3/5/7 and fault
    /// intensities vary, so a range of seeds covers calm and hostile runs alike.
    public static func scenario(seed: UInt64, ticks: Int = 300, plant: PlantedBug? = nil) -> SimulationOptions {
        var random = DeterministicRandom(seed: seed ^ 0xC01_3E1A)
        func pick(_ values: [Double]) -> Double { values[Int(random.next() % UInt64(values.count))] }
        return SimulationOptions(
            seed: seed,
            nodes: [3, 5, 7][Int(seed % 3)],
            ticks: ticks,
            lossRate: pick([0, 0.01, 0.05, 0.15]),
            duplicateRate: pick([0, 0.02, 0.05]),
            maxDelay: Int(random.next() % 4),
            partitionRate: pick([0, 0.01, 0.03]),
            crashRate: pick([0.002, 0.005, 0.02]),
            membershipRate: pick([0, 0.01, 0.03]),
            transferRate: pick([0, 0.005, 0.02]),
            proposalRate: pick([0.3, 0.7, 1.5]),
            readRate: pick([0, 0.1, 0.3]),
            compactionThreshold: [10, 30, 100][Int(random.next() % 3)],
            tornWriteRate: pick([0.2, 0.5, 0.9]),
            forgetLeaderRate: pick([0, 0.01, 0.05]),
            plant: plant
        )
    }

    /// The command line that replays this exact run.
    public var replayCommand: String {
        "swift run -c release raft-sim --replay \(seed) --nodes \(nodes) --ticks \(ticks) --loss \(lossRate) "
            + "--duplicate \(duplicateRate) --max-delay \(maxDelay) --partition \(partitionRate) --crash \(crashRate) "
            + "--membership \(membershipRate) --transfer \(transferRate) --propose \(proposalRate) --read \(readRate) "
            + "--compact \(compactionThreshold) --torn \(tornWriteRate) --forget-leader \(forgetLeaderRate)"
            + (plant.map { " --plant \($0.rawValue)" } ?? "")
    }

    public var description: String { replayCommand }
}
