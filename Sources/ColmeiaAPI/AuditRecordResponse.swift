import ColmeiaModel
import ColmeiaStore
import Foundation

/// One audit record as Colmeia's API shows it (`/colmeia/v1/audit`, NDJSON lines of
/// `follow` and `export`): who, from where, what, and the change itself. The payload is the
/// object as the event left it, without secret data or registry credentials.
///
/// Written straight to JSON text, keys sorted: the payload and the patch are already JSON
/// in the trail and are copied as they are (decoding and re-encoding them cost a page of
/// 100 records tens of milliseconds).
enum AuditRecordResponse {
    /// The actor as history entries show it too.
    struct ActorJSON: Codable, Sendable, Hashable {
        var Kind: String
        var ID: String
        /// `transport`, `uid`, `gid`, `pid`, `process`, `address`, `subject`, `node`, `role`, `token`, `userAgent`.
        var Details: [String: String]?
    }

    static func json(_ record: AuditRecord, into out: inout String) {
        out += "{\"Actor\":{"
        if !record.actor.details.isEmpty {
            out += "\"Details\":{"
            var first = true
            for (key, value) in record.actor.details.sorted(by: { $0.key < $1.key }) {
                if !first { out += "," }
                first = false
                string(key, into: &out)
                out += ":"
                string(value, into: &out)
            }
            out += "},"
        }
        out += "\"ID\":"
        string(record.actor.id, into: &out)
        out += ",\"Kind\":"
        string(record.actor.kind.rawValue, into: &out)
        out += "},\"CommandID\":"
        string(record.commandID, into: &out)
        out += ",\"Hash\":\"" + AuditChain.hex(record.hash) + "\""
        out += ",\"Index\":\(record.index),\"Object\":{\"ID\":"
        string(record.objectID, into: &out)
        out += ",\"Kind\":"
        string(record.objectKind.rawValue, into: &out)
        out += ",\"Name\":"
        string(record.objectName, into: &out)
        out += "},\"Ordinal\":\(record.ordinal),\"Outcome\":"
        string(record.outcome, into: &out)
        if let patch = record.patch { out += ",\"Patch\":" + patch }
        out += ",\"Payload\":" + record.shownPayload
        if let requestID = record.requestID {
            out += ",\"RequestID\":"
            string(requestID, into: &out)
        }
        if let service = record.serviceID {
            out += ",\"ServiceID\":"
            string(service, into: &out)
        }
        out += ",\"Term\":\(record.term),\"Time\":\"" + record.time.rfc3339 + "\""
        out += ",\"TimeNano\":\(record.time.nanosecondsSinceEpochForEvents),\"Type\":"
        string(record.type, into: &out)
        if let agent = record.actor.details["userAgent"] {
            out += ",\"UserAgent\":"
            string(agent, into: &out)
        }
        out += "}"
    }

    /// One NDJSON line.
    static func line(_ record: AuditRecord) -> Data {
        var out = ""
        json(record, into: &out)
        out += "\n"
        return Data(out.utf8)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func string(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
