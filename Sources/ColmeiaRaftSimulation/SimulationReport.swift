/// What one run (or a batch of runs) observed.
public struct SimulationReport: Sendable {
    public var seeds = 0
    public var violations: [Violation] = []
    public var elections = 0
    public var commits = 0
    public var faults = 0
    public var reads = 0
    public var snapshotsSent = 0
    public var membershipChanges = 0
    public var transfers = 0
    /// Node crashes, and how many of them struck inside the handling of a `Ready`.
    public var crashes = 0
    public var midReadyCrashes = 0
    /// Mid-`Ready` crashes by the step they struck at (`beforePersist`, `midPersist`, …).
    public var crashesAt: [String: Int] = [:]
    /// Crashes that left a torn record, and torn tails recovery cut off.
    public var tornWrites = 0
    public var tornTailsDiscarded = 0
    /// Transport calls: `forgetLeader`, `reportUnreachable`, `reportSnapshot`.
    public var forgetLeaders = 0
    public var unreachableReports = 0
    public var snapshotReports = 0
    /// A digest of every event of the run; equal digests mean identical runs.
    public var traceDigest: UInt64 = 0

    public init() {}

    public mutating func merge(_ other: SimulationReport) {
        seeds += other.seeds
        violations += other.violations
        elections += other.elections
        commits += other.commits
        faults += other.faults
        reads += other.reads
        snapshotsSent += other.snapshotsSent
        membershipChanges += other.membershipChanges
        transfers += other.transfers
        crashes += other.crashes
        midReadyCrashes += other.midReadyCrashes
        crashesAt.merge(other.crashesAt, uniquingKeysWith: +)
        tornWrites += other.tornWrites
        tornTailsDiscarded += other.tornTailsDiscarded
        forgetLeaders += other.forgetLeaders
        unreachableReports += other.unreachableReports
        snapshotReports += other.snapshotReports
    }

    /// The one-line summary `raft-sim` prints.
    public var summary: String {
        "seeds=\(seeds) violations=\(violations.count) elections=\(elections) commits=\(commits) faults=\(faults) "
            + "reads=\(reads) snapshots=\(snapshotsSent) membership=\(membershipChanges) transfers=\(transfers) "
            + "crashes=\(crashes) mid-ready-crashes=\(midReadyCrashes) torn-writes=\(tornWrites) "
            + "torn-tails-discarded=\(tornTailsDiscarded) forget-leader=\(forgetLeaders) "
            + "unreachable=\(unreachableReports) snapshot-status=\(snapshotReports)"
    }
}

/// A broken invariant, with what is needed to replay the run that broke it.
public struct Violation: Sendable, CustomStringConvertible {
    public var options: SimulationOptions
    public var tick: Int
    public var invariant: String
    public var detail: String

    public var description: String {
        "seed \(options.seed) tick \(tick): \(invariant) violated: \(detail)\n  replay: \(options.replayCommand)"
    }
}
