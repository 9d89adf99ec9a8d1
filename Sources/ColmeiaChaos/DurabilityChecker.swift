import Foundation

/// Checks that every acknowledged write survived: read on every manager once the faults have
/// healed, each key must show the write's value, or a later one (a higher version, or the value
/// of a write that did not finish before the acknowledged one began).
public enum DurabilityChecker {
    /// An acknowledged write that a manager does not show.
    public struct LostWrite: Sendable, CustomStringConvertible {
        public var write: Operation
        public var manager: Int
        public var seen: Observation?

        public var description: String {
            "\(write.key) on manager \(manager + 1): acknowledged \(write) but the manager shows \(seen.map(\.description) ?? "nothing (no answer)")"
        }
    }

    public struct Result: Sendable {
        public var lost: [LostWrite] = []
        /// Keys whose managers disagree at the end.
        public var diverged: [Anomaly] = []
        public var acknowledgedWrites = 0
    }

    /// `final[key][manager]` is what that manager answered at the end (nil: it did not answer).
    public static func check(history: [Operation], final: [String: [Int: Observation?]], managers: Int) -> Result {
        var result = Result()
        // The first version each value was seen at (its write's version for a config).
        var versionOf: [String: UInt64] = [:]
        var writerOf: [String: Operation] = [:]
        for operation in history {
            if case .present(let version, let value)? = operation.observation, operation.outcome == .ok {
                versionOf[value] = min(versionOf[value] ?? .max, version)
            }
            if operation.kind != .read, operation.outcome != .fail, let value = operation.value { writerOf[value] = operation }
        }
        for views in final.values {
            for case .present(let version, let value)? in views.values {
                versionOf[value] = min(versionOf[value] ?? .max, version)
            }
        }
        let writes = Dictionary(grouping: history.filter(\.isAcknowledgedWrite), by: \.key)
        for key in final.keys.sorted() {
            let views = final[key] ?? [:]
            let distinct = Set(views.values.compactMap { $0 })
            if distinct.count > 1 {
                let shown = views.keys.sorted().map { "manager \($0 + 1): \((views[$0] ?? nil).map(\.description) ?? "no answer")" }
                result.diverged.append(Anomaly(key: key, message: "managers disagree at the end: \(shown.joined(separator: ", "))"))
            }
        }
        for key in writes.keys.sorted() {
            let acknowledged = writes[key] ?? []
            result.acknowledgedWrites += acknowledged.count
            for manager in 0..<managers {
                let seen = final[key]?[manager] ?? nil
                // Report the latest write a manager lost, once per key and manager.
                var lostHere: Operation?
                for write in acknowledged where !survives(write, seen: seen, versionOf: versionOf, writerOf: writerOf) {
                    if lostHere.map({ $0.invoked < write.invoked }) ?? true { lostHere = write }
                }
                if let lostHere { result.lost.append(LostWrite(write: lostHere, manager: manager, seen: seen)) }
            }
        }
        return result
    }

    static func survives(_ write: Operation, seen: Observation?, versionOf: [String: UInt64],
                         writerOf: [String: Operation]) -> Bool {
        guard let written = write.value, case .present(let version, let value)? = seen else { return false }
        if value == written { return true }
        if let writtenVersion = versionOf[written] { return version > writtenVersion }
        // Never read: the value shown must come from a write not finished before this one began.
        guard let writer = writerOf[value] else { return false }
        guard let finished = writer.completed, writer.outcome == .ok else { return true }
        return finished >= write.invoked
    }
}
