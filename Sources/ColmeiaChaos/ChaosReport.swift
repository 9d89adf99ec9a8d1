import Foundation

/// What a run found, and whether it passes: no anomaly, no lost write, every recovery within
/// the limit.
public struct ChaosReport: Sendable {
    public var managers: Int
    public var seed: UInt64
    public var duration: Double
    public var history: [Operation]
    public var faults: [Nemesis.Event]
    public var linearizability: LinearizabilityChecker.Result
    public var durability: DurabilityChecker.Result
    public var recoveryLimit: Double

    public init(managers: Int, seed: UInt64, duration: Double, history: [Operation], faults: [Nemesis.Event],
                linearizability: LinearizabilityChecker.Result, durability: DurabilityChecker.Result, recoveryLimit: Double) {
        self.managers = managers
        self.seed = seed
        self.duration = duration
        self.history = history
        self.faults = faults
        self.linearizability = linearizability
        self.durability = durability
        self.recoveryLimit = recoveryLimit
    }

    /// The slowest recovery; infinity when some heal was followed by no write at all.
    public var worstRecovery: Double {
        faults.map { $0.recovery ?? .infinity }.max() ?? 0
    }

    public var anomalies: [Anomaly] { linearizability.anomalies + durability.diverged }

    public var passed: Bool {
        anomalies.isEmpty && durability.lost.isEmpty && linearizability.undecided.isEmpty && worstRecovery <= recoveryLimit
    }

    public func render() -> String {
        var lines: [String] = []
        lines.append("colmeia-chaos: \(managers) managers, seed \(seed), \(String(format: "%.0f", duration)) s of faults")
        lines.append("history: \(history.count) operations")
        for kind in OperationKind.allCases {
            let ofKind = history.filter { $0.kind == kind }
            let counts = Outcome.allCases.map { outcome in "\(outcome.rawValue) \(ofKind.filter { $0.outcome == outcome }.count)" }
            lines.append("  \(kind.rawValue): \(ofKind.count) (\(counts.joined(separator: ", ")))")
        }
        lines.append("  keys: \(linearizability.keys), operations checked: \(linearizability.operations), acknowledged writes: \(durability.acknowledgedWrites)")
        lines.append("faults: \(faults.count)")
        for fault in Nemesis.Fault.allCases {
            let count = faults.filter { $0.fault == fault }.count
            if count > 0 { lines.append("  \(fault.rawValue): \(count)") }
        }
        lines.append("anomalies: \(anomalies.count)")
        for anomaly in anomalies.prefix(20) { lines.append("  \(anomaly)") }
        if !linearizability.undecided.isEmpty {
            lines.append("undecided (search budget spent): \(linearizability.undecided.joined(separator: ", "))")
        }
        lines.append("lost acknowledged writes: \(durability.lost.count)")
        for lost in durability.lost.prefix(20) { lines.append("  \(lost)") }
        let worst = worstRecovery
        lines.append(worst.isFinite
                     ? String(format: "worst recovery: %.3f s (limit %.0f s)", worst, recoveryLimit)
                     : "worst recovery: NO WRITE SERVED after some heal (limit \(Int(recoveryLimit)) s)")
        if let slowest = faults.max(by: { ($0.recovery ?? .infinity) < ($1.recovery ?? .infinity) }) {
            lines.append("  after: \(slowest)")
        }
        let everyManager = faults.map { $0.everyManager ?? .infinity }.max() ?? 0
        lines.append(everyManager.isFinite
                     ? String(format: "worst time until every manager served a write again: %.3f s", everyManager)
                     : "some manager served NO write within 60 s of a heal")
        lines.append(passed ? "PASS" : "FAIL")
        return lines.joined(separator: "\n")
    }
}
