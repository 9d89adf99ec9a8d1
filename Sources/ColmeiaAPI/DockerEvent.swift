import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation

/// One line of `GET /events`, in the Engine API's event shape, made from an audit row.
struct DockerEvent: Encodable {
    struct Actor: Encodable {
        var id: String
        var attributes: [String: String]

        enum CodingKeys: String, CodingKey {
            case id = "ID"
            case attributes = "Attributes"
        }
    }

    var type: String
    var action: String
    var actor: Actor
    var scope = "swarm"
    var time: Int64
    var timeNano: Int64

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case action = "Action"
        case actor = "Actor"
        case scope
        case time
        case timeNano
    }

    /// The kinds Docker reports swarm events for (tasks and the cluster object are not among them).
    static let reportedKinds: Set<ObjectKind> = [.service, .node, .secret, .config, .network]

    /// Nil for rows Docker would not report.
    init?(_ record: AuditRecord, name: String?) {
        guard Self.reportedKinds.contains(record.objectKind) else { return nil }
        let action: String
        switch record.type.split(separator: ".").last {
        case "created": action = "create"
        case "updated": action = "update"
        case "removed": action = "remove"
        default: return nil
        }
        type = record.objectKind.rawValue
        self.action = action
        actor = Actor(id: record.objectID, attributes: name.map { ["name": $0] } ?? [:])
        let nanos = record.time.nanosecondsSinceEpochForEvents
        time = nanos / 1_000_000_000
        timeNano = nanos
    }

    /// The object's name as the payload JSON carries it.
    static func name(fromPayload payload: String, kind: ObjectKind) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else { return nil }
        let spec = object["Spec"] as? [String: Any]
        switch kind {
        case .network: return object["Name"] as? String
        case .node:
            if let name = spec?["Name"] as? String, !name.isEmpty { return name }
            return (object["Description"] as? [String: Any])?["Hostname"] as? String
        default: return spec?["Name"] as? String
        }
    }
}

extension Timestamp {
    var nanosecondsSinceEpochForEvents: Int64 {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled &+ Int64(nanoseconds)
    }

    /// Docker's `since`/`until`: unix seconds with an optional fraction, or RFC 3339.
    init?(eventsParameter text: String) {
        if let stamp = Timestamp(rfc3339: text) {
            self = stamp
            return
        }
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let seconds = parts.first.flatMap({ Int64($0) }) else { return nil }
        var nanos: UInt32 = 0
        if parts.count == 2 {
            let digits = String(parts[1].prefix(9)).padding(toLength: 9, withPad: "0", startingAt: 0)
            guard let value = UInt32(digits) else { return nil }
            nanos = value
        }
        self.init(seconds: seconds, nanoseconds: nanos)
    }
}
