import Foundation

/// The history of a run: every operation recorded at its invocation, then completed.
public final class HistoryRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var operations: [Operation] = []
    private let start = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// Seconds since the recorder was made.
    public func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Records an invocation; returns its id for `complete`.
    public func invoke(process: Int, manager: Int, kind: OperationKind, key: String, value: String? = nil,
                       expectedVersion: UInt64? = nil) -> Int {
        lock.withLock {
            let id = operations.count
            operations.append(Operation(id: id, process: process, manager: manager, kind: kind, key: key, value: value,
                                        expectedVersion: expectedVersion, outcome: .unknown, invoked: now(), completed: nil))
            return id
        }
    }

    /// Records how operation `id` ended (an unknown outcome keeps no completion time).
    public func complete(_ id: Int, _ outcome: Outcome, observation: Observation? = nil, detail: String) {
        let time = now()
        lock.withLock {
            guard operations.indices.contains(id) else { return }
            operations[id].outcome = outcome
            operations[id].observation = observation
            operations[id].completed = outcome == .unknown ? nil : time
            operations[id].detail = String(detail.prefix(200))
        }
    }

    public var history: [Operation] { lock.withLock { operations } }

    /// Writes the history as JSON lines.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for operation in history {
            data.append(try encoder.encode(operation))
            data.append(0x0A)
        }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
