import ColmeiaModel
import ColmeiaStore
import Foundation

/// One audit record as Colmeia's API shows it (`/colmeia/v1/audit`, NDJSON lines of
/// `follow` and `export`): who, from where, what, and the change itself. The payload is the
/// object as the event left it, without secret data or registry credentials.
struct AuditRecordResponse: Codable, Sendable, Hashable {
    struct ActorJSON: Codable, Sendable, Hashable {
        var Kind: String
        var ID: String
        /// `transport`, `uid`, `gid`, `pid`, `process`, `address`, `subject`, `node`, `role`, `token`, `userAgent`.
        var Details: [String: String]?
    }

    struct ObjectJSON: Codable, Sendable, Hashable {
        var Kind: String
        var ID: String
        var Name: String
    }

    var Index: UInt64
    var Ordinal: Int
    var Term: UInt64
    var Time: String
    var TimeNano: Int64
    var Actor: ActorJSON
    var RequestID: String?
    var UserAgent: String?
    var CommandID: String
    var `Type`: String
    var Outcome: String
    var Object: ObjectJSON
    var ServiceID: String?
    var Payload: JSONValue
    var Patch: JSONPatch?
    /// The chain link (hex SHA-256).
    var Hash: String

    init(_ record: AuditRecord) throws {
        Index = record.index
        Ordinal = record.ordinal
        Term = record.term
        Time = record.time.rfc3339
        TimeNano = record.time.nanosecondsSinceEpochForEvents
        Actor = ActorJSON(Kind: record.actor.kind.rawValue, ID: record.actor.id,
                      Details: record.actor.details.isEmpty ? nil : record.actor.details)
        RequestID = record.requestID
        UserAgent = record.actor.details["userAgent"]
        CommandID = record.commandID
        self.Type = record.type
        Outcome = record.outcome
        Object = ObjectJSON(Kind: record.objectKind.rawValue, ID: record.objectID, Name: record.objectName)
        ServiceID = record.serviceID
        Payload = try JSONDecoder().decode(JSONValue.self, from: Data(record.shownPayload.utf8))
        Patch = try record.patch.map { try JSONDecoder().decode(JSONPatch.self, from: Data($0.utf8)) }
        Hash = AuditChain.hex(record.hash)
    }

    /// One NDJSON line.
    func line() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}
