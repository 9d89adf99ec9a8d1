import Foundation

/// What a client asked of one register (a config or a service, by name).
public enum OperationKind: String, Sendable, Codable, CaseIterable {
    /// `POST /configs/create` or `/services/create` with a label value.
    case create
    /// `POST /…/{name}/update?version=N` changing the label: a compare-and-set on the version.
    case update
    /// `GET /…/{name}`: the version and the label value, or absent.
    case read
}

/// How an operation ended, as the client could tell.
public enum Outcome: String, Sendable, Codable, CaseIterable {
    /// Acknowledged: a write applied, a read answered.
    case ok
    /// Certainly not applied (a 4xx, a 503, `update out of sequence`, a request never sent).
    case fail
    /// May or may not have applied, at any time after its invocation (a 504, no answer).
    case unknown
}

/// What a read saw.
public enum Observation: Sendable, Hashable, Codable, CustomStringConvertible {
    case absent
    case present(version: UInt64, value: String)

    public var description: String {
        switch self {
        case .absent: "absent"
        case .present(let version, let value): "\(value)@\(version)"
        }
    }
}

/// One operation of the history: its invocation and, unless unknown, its completion.
public struct Operation: Sendable, Codable, CustomStringConvertible {
    public var id: Int
    /// The client (a new number after an unknown outcome, as a crashed Knossos process).
    public var process: Int
    /// The manager the request went to.
    public var manager: Int
    public var kind: OperationKind
    public var key: String
    /// The label value written (create, update); unique across the run.
    public var value: String?
    /// An update's precondition (`?version=N`).
    public var expectedVersion: UInt64?
    /// An acknowledged read's result.
    public var observation: Observation?
    public var outcome: Outcome
    /// Seconds since the start of the run.
    public var invoked: Double
    /// Seconds since the start of the run; nil while pending or when the outcome is unknown.
    public var completed: Double?
    /// The answer, for the record (status and message).
    public var detail: String

    public init(id: Int, process: Int, manager: Int = 0, kind: OperationKind, key: String, value: String? = nil,
                expectedVersion: UInt64? = nil, observation: Observation? = nil, outcome: Outcome,
                invoked: Double, completed: Double?, detail: String = "") {
        self.id = id
        self.process = process
        self.manager = manager
        self.kind = kind
        self.key = key
        self.value = value
        self.expectedVersion = expectedVersion
        self.observation = observation
        self.outcome = outcome
        self.invoked = invoked
        self.completed = completed
        self.detail = detail
    }

    public var description: String {
        var text = "#\(id) p\(process) m\(manager) \(kind.rawValue) \(key)"
        if let expectedVersion { text += " if@\(expectedVersion)" }
        if let value { text += " := \(value)" }
        if let observation { text += " -> \(observation)" }
        let end = completed.map { String(format: "%.3f", $0) } ?? "?"
        text += " \(outcome.rawValue) [\(String(format: "%.3f", invoked)), \(end)]"
        if !detail.isEmpty { text += " (\(detail))" }
        return text
    }

    /// An acknowledged create or update.
    public var isAcknowledgedWrite: Bool { outcome == .ok && kind != .read }
}
