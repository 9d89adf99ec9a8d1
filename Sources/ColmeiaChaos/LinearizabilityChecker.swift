import Foundation

/// Something the checkers found wrong, in words for the report.
public struct Anomaly: Sendable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}

/// Checks a history for linearizability, key by key (each config or service is a register),
/// in the style of Knossos and Porcupine: the Wing & Gong search with Lowe's memoisation of
/// (set of operations linearized, state).
///
/// The model: a register that is absent or holds a label value. Every value written is unique
/// across the run, and every read returns the version with the value, so the value a version
/// carries is known from the reads; an update `?version=N` is then a compare-and-set of the
/// value read at version N (values are never written twice, so there is no ABA).
///
/// Failed operations are left out (they did not apply); unknown ones may apply at any time after
/// their invocation, or never (their completion is at infinity); reads that did not answer tell
/// nothing and are left out. An unknown write is only ever placed where it changes the state:
/// one that would change nothing there may as well never have happened, which keeps the
/// search from trying every order of the writes that a partition left unanswered.
public enum LinearizabilityChecker {
    /// The register's state.
    enum State: Hashable {
        case absent
        case present(String)
    }

    public struct Result: Sendable {
        public var anomalies: [Anomaly] = []
        /// Keys checked, and operations considered.
        public var keys = 0
        public var operations = 0
        /// Keys whose search ran out of budget (neither proved nor refuted).
        public var undecided: [String] = []
    }

    /// Checks every key of `history`; `budget` bounds the search steps of one key.
    public static func check(_ history: [Operation], budget: Int = 5_000_000) -> Result {
        var result = Result()
        let byKey = Dictionary(grouping: history, by: \.key)
        for key in byKey.keys.sorted() {
            guard let operations = byKey[key] else { continue }
            result.keys += 1
            switch checkKey(key, operations, budget: budget) {
            case .linearizable(let count):
                result.operations += count
            case .anomalies(let count, let found):
                result.operations += count
                result.anomalies += found
            case .undecided(let count):
                result.operations += count
                result.undecided.append(key)
            }
        }
        return result
    }

    enum KeyVerdict {
        case linearizable(Int)
        case anomalies(Int, [Anomaly])
        case undecided(Int)
    }

    static func checkKey(_ key: String, _ all: [Operation], budget: Int) -> KeyVerdict {
        let operations = all.filter { operation in
            switch operation.outcome {
            case .fail: false
            case .unknown: operation.kind != .read
            case .ok: true
            }
        }
        // The value each version carries, from what reads saw.
        var valueAt: [UInt64: String] = [:]
        var anomalies: [Anomaly] = []
        for operation in operations where operation.kind == .read {
            guard case .present(let version, let value)? = operation.observation else { continue }
            if let known = valueAt[version], known != value {
                anomalies.append(Anomaly(key: key, message: "version \(version) was read with two values, \(known) and \(value)"))
            } else {
                valueAt[version] = value
            }
        }
        var writers: [String: Int] = [:]
        for operation in operations where operation.kind != .read {
            if let value = operation.value, let other = writers[value] {
                anomalies.append(Anomaly(key: key, message: "value \(value) is written by two operations (#\(other), #\(operation.id)): the workload must write unique values"))
            }
            if let value = operation.value { writers[value] = operation.id }
        }
        if !anomalies.isEmpty { return .anomalies(operations.count, anomalies) }
        let search = Search(operations: operations, valueAt: valueAt, budget: budget)
        switch search.run() {
        case .linearizable:
            return .linearizable(operations.count)
        case .undecided:
            return .undecided(operations.count)
        case .notLinearizable(let stuck):
            let shown = stuck.map { "\n    \($0)" }.joined()
            return .anomalies(operations.count, [Anomaly(
                key: key,
                message: "not linearizable: no order of its \(operations.count) operations fits a register; none of these could come next after the longest linearizable prefix:\(shown)")])
        }
    }

    /// The state after `operation` from `state`, or nil when it cannot happen there.
    static func step(_ state: State, _ operation: Operation, valueAt: [UInt64: String]) -> State? {
        switch operation.kind {
        case .create:
            guard let value = operation.value else { return nil }
            switch state {
            case .absent: return .present(value)
            // A create of an existing name fails (conflict): not acknowledged, and an unknown
            // one that changes nothing need never be placed (it may never have happened).
            case .present: return nil
            }
        case .update:
            guard let value = operation.value, let version = operation.expectedVersion else { return nil }
            let matches = valueAt[version].map { state == .present($0) } ?? false
            // A compare-and-set that did not match did not apply: an acknowledged one cannot be
            // that, and an unknown one that changes nothing need never be placed.
            return matches ? .present(value) : nil
        case .read:
            switch operation.observation {
            case .absent?: return state == .absent ? state : nil
            case .present(_, let value)?: return state == .present(value) ? state : nil
            case nil: return state
            }
        }
    }

    /// Lowe's variant of the Wing & Gong search over a doubly linked list of call and return
    /// entries, as Porcupine does it.
    final class Search {
        enum Verdict {
            case linearizable
            case notLinearizable([Operation])
            case undecided
        }

        struct Entry {
            var operation: Int
            var isCall: Bool
            var time: Double
        }

        struct CacheKey: Hashable {
            var linearized: [UInt64]
            var state: State
        }

        let operations: [Operation]
        let valueAt: [UInt64: String]
        let budget: Int
        var entries: [Entry] = []
        /// Linked list over `entries`; index `entries.count` is the head sentinel.
        var next: [Int] = []
        var previous: [Int] = []
        var returnOf: [Int] = []

        init(operations: [Operation], valueAt: [UInt64: String], budget: Int) {
            self.operations = operations
            self.valueAt = valueAt
            self.budget = budget
        }

        func run() -> Verdict {
            let count = operations.count
            if count == 0 { return .linearizable }
            for (index, operation) in operations.enumerated() {
                entries.append(Entry(operation: index, isCall: true, time: operation.invoked))
                entries.append(Entry(operation: index, isCall: false, time: operation.completed ?? .infinity))
            }
            // By time; at the same time calls first (the operations overlap).
            entries.sort { left, right in
                if left.time != right.time { return left.time < right.time }
                if left.isCall != right.isCall { return left.isCall }
                return left.operation < right.operation
            }
            let head = entries.count
            next = Array(repeating: -1, count: entries.count + 1)
            previous = Array(repeating: -1, count: entries.count + 1)
            returnOf = Array(repeating: -1, count: count)
            var last = head
            for index in entries.indices {
                next[last] = index
                previous[index] = last
                last = index
                if !entries[index].isCall { returnOf[entries[index].operation] = index }
            }
            next[last] = -1

            var linearized = Array(repeating: UInt64(0), count: (count + 63) / 64)
            var cache: Set<CacheKey> = []
            var calls: [(entry: Int, state: State)] = []
            var state = State.absent
            var entry = next[head]
            var steps = 0
            var deepest = 0
            var stuckAtDeepest: [Operation] = []
            while next[head] != -1 {
                steps += 1
                if steps > budget { return .undecided }
                guard entry != -1 else { return .undecided }
                let current = entries[entry]
                if current.isCall {
                    let operation = operations[current.operation]
                    if let after = LinearizabilityChecker.step(state, operation, valueAt: valueAt) {
                        var marked = linearized
                        marked[current.operation / 64] |= UInt64(1) << UInt64(current.operation % 64)
                        if cache.insert(CacheKey(linearized: marked, state: after)).inserted {
                            calls.append((entry, state))
                            state = after
                            linearized = marked
                            lift(entry)
                            entry = next[head]
                            continue
                        }
                    }
                    entry = next[entry]
                } else {
                    // Past every acknowledged operation only unknown ones are left, and those
                    // may never have happened.
                    if operations[current.operation].completed == nil { return .linearizable }
                    // A return before its call was linearized: undo the last choice.
                    if calls.count >= deepest {
                        deepest = calls.count
                        stuckAtDeepest = pendingCalls(head: head)
                    }
                    guard let (call, before) = calls.popLast() else {
                        return .notLinearizable(stuckAtDeepest)
                    }
                    state = before
                    let index = entries[call].operation
                    linearized[index / 64] &= ~(UInt64(1) << UInt64(index % 64))
                    unlift(call)
                    entry = next[call]
                }
            }
            return .linearizable
        }

        /// The operations whose calls come before the first return in the list: the candidates
        /// that could not be placed.
        func pendingCalls(head: Int) -> [Operation] {
            var found: [Operation] = []
            var entry = next[head]
            while entry != -1 {
                let current = entries[entry]
                found.append(operations[current.operation])
                if !current.isCall { break }
                entry = next[entry]
            }
            return found
        }

        func lift(_ call: Int) {
            let match = returnOf[entries[call].operation]
            next[previous[call]] = next[call]
            if next[call] != -1 { previous[next[call]] = previous[call] }
            next[previous[match]] = next[match]
            if next[match] != -1 { previous[next[match]] = previous[match] }
        }

        func unlift(_ call: Int) {
            let match = returnOf[entries[call].operation]
            next[previous[match]] = match
            if next[match] != -1 { previous[next[match]] = match }
            next[previous[call]] = call
            if next[call] != -1 { previous[next[call]] = call }
        }
    }
}
