import ColmeiaModel
import Crypto
import Foundation

/// The audit trail's hash chain: each record's hash is SHA-256 over the previous record's
/// hash and the record's canonical bytes. Apply computes it, so every manager that applied
/// the same log holds the same chain and the same head; anyone holding an exported trail
/// can recompute it.
///
/// The canonical bytes are the record's fields in a fixed order, each length-prefixed
/// (a missing optional is marked apart from an empty string): index, ordinal, term, time
/// in nanoseconds, actor kind, id and details (JSON with sorted keys), request id, command
/// id, type, object kind, id and name, service id, outcome, the payload as shown (without
/// registry credentials) and the patch.
public enum AuditChain {
    /// The hash before the first record.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    public static func link(_ previous: [UInt8], _ record: AuditRecord) -> [UInt8] {
        link(previous, canonical: canonicalBytes(record))
    }

    static func link(_ previous: [UInt8], canonical: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonical)
        return Array(hasher.finalize())
    }

    /// The record's canonical bytes. `details` is the actor details' stored text when the
    /// caller has it (else it is encoded from the record).
    public static func canonicalBytes(_ record: AuditRecord, details: String?? = .none) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(record.shownPayload.utf8.count + 512)
        func integer(_ value: UInt64) {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        func text(_ value: String?) {
            guard let value else {
                bytes.append(0)
                return
            }
            bytes.append(1)
            let utf8 = Array(value.utf8)
            integer(UInt64(utf8.count))
            bytes += utf8
        }
        integer(record.index)
        integer(UInt64(bitPattern: Int64(record.ordinal)))
        integer(record.term)
        integer(UInt64(bitPattern: record.time.nanosecondsSinceEpoch))
        text(record.actor.kind.rawValue)
        text(record.actor.id)
        text(details ?? detailsText(record.actor.details))
        text(record.requestID)
        text(record.commandID)
        text(record.type)
        text(record.objectKind.rawValue)
        text(record.objectID)
        text(record.objectName)
        text(record.serviceID)
        text(record.outcome)
        text(record.shownPayload)
        text(record.patch)
        return bytes
    }

    /// A record back from its canonical bytes (as the archive keeps it), or nil when they
    /// are not a record's. The payload read back is the one shown (no registry credentials).
    public static func record(canonical bytes: ArraySlice<UInt8>, hash: [UInt8]) -> AuditRecord? {
        var reader = CanonicalReader(bytes: bytes)
        guard let index = reader.integer(), let ordinal = reader.integer(), let term = reader.integer(),
              let time = reader.integer(), let actorKindName = reader.text() ?? nil, let actorID = reader.text() ?? nil,
              let detailsText = reader.text(), let requestID = reader.text(), let commandID = reader.text() ?? nil,
              let type = reader.text() ?? nil, let objectKindName = reader.text() ?? nil, let objectID = reader.text() ?? nil,
              let objectName = reader.text() ?? nil, let serviceID = reader.text(), let outcome = reader.text() ?? nil,
              let payload = reader.text() ?? nil, let patch = reader.text(), reader.isAtEnd,
              let actorKind = CommandEnvelope.Actor.Kind(rawValue: actorKindName), let objectKind = ObjectKind(rawValue: objectKindName),
              let stamp = Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: time)) else { return nil }
        let details = detailsText.map(Self.details(from:)) ?? [:]
        return AuditRecord(index: index, ordinal: Int(Int64(bitPattern: ordinal)), term: term, time: stamp,
                           actor: CommandEnvelope.Actor(kind: actorKind, id: actorID, details: details), requestID: requestID,
                           commandID: commandID, type: type, objectKind: objectKind, objectID: objectID, objectName: objectName,
                           serviceID: serviceID, outcome: outcome, payload: payload, redactedPayload: nil, patch: patch, hash: hash)
    }

    private struct CanonicalReader {
        var bytes: ArraySlice<UInt8>

        var isAtEnd: Bool { bytes.isEmpty }

        mutating func integer() -> UInt64? {
            guard bytes.count >= 8 else { return nil }
            var value: UInt64 = 0
            for byte in bytes.prefix(8) { value = value << 8 | UInt64(byte) }
            bytes = bytes.dropFirst(8)
            return value
        }

        /// nil: malformed; .some(nil): an absent optional.
        mutating func text() -> String?? {
            guard let marker = bytes.first else { return nil }
            bytes = bytes.dropFirst()
            if marker == 0 { return .some(nil) }
            guard marker == 1, let length = integer(), length <= UInt64(bytes.count) else { return nil }
            let text = String(decoding: bytes.prefix(Int(length)), as: UTF8.self)
            bytes = bytes.dropFirst(Int(length))
            return .some(text)
        }
    }

    /// Actor details from their stored JSON text (JSONSerialization: several times quicker
    /// than JSONDecoder on a page of records).
    static func details(from text: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] ?? [:]
    }

    /// Actor details as stored: JSON with sorted keys, nil when there are none.
    static func detailsText(_ details: [String: String]) -> String? {
        guard !details.isEmpty, let data = try? ResourceRow.encoder().encode(details) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// The bytes of a hex string, nil when it is not one.
    public static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
