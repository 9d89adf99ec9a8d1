import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import Hummingbird

/// The query string of `GET /colmeia/v1/audit`, checked: an unknown parameter, a value of
/// the wrong form, an index beyond the log or a malformed cursor is a 400 naming it.
struct AuditQueryParameters {
    static let known: [String] = [
        "since", "until", "from_index", "to_index", "actor", "actor_kind", "kind", "id", "name", "type", "service",
        "outcome", "order", "limit", "cursor", "follow",
    ]
    static let defaultLimit = 100
    static let maximumLimit = 1_000

    var query: AuditQuery
    var follow: Bool

    init(_ request: Request, store: ClusterStore) throws {
        let parameters = request.uri.queryParameters
        for (key, _) in parameters where !Self.known.contains(String(key)) {
            throw DockerAPIError.badRequest("unknown audit filter \"\(key)\" (the audit query takes \(Self.known.joined(separator: ", ")))")
        }
        func value(_ name: String) -> String? {
            guard let text = parameters.get(name), !text.isEmpty else { return nil }
            return text
        }
        var query = AuditQuery(limit: Self.defaultLimit)
        query.since = try value("since").map { try Self.time($0, "since") }
        query.until = try value("until").map { try Self.time($0, "until") }
        let last = store.applied.index
        query.fromIndex = try value("from_index").map { try Self.index($0, "from_index", last: last) }
        query.toIndex = try value("to_index").map { try Self.index($0, "to_index", last: last) }
        query.actorID = value("actor")
        if let kind = value("actor_kind") {
            guard let parsed = CommandEnvelope.Actor.Kind(rawValue: kind) else {
                throw DockerAPIError.badRequest("invalid actor_kind \"\(kind)\" (one of \(CommandEnvelope.Actor.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            query.actorKind = parsed
        }
        if let kind = value("kind") {
            guard let parsed = ObjectKind(rawValue: kind) else {
                throw DockerAPIError.badRequest("invalid kind \"\(kind)\" (one of \(ObjectKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            query.objectKind = parsed
        }
        query.objectID = value("id")
        query.objectName = value("name")
        if let type = value("type") {
            let kind = type.split(separator: ".", maxSplits: 1).first.map(String.init) ?? type
            guard ObjectKind(rawValue: kind) != nil, type.allSatisfy({ $0.isLetter || $0 == "." || $0 == "_" }) else {
                throw DockerAPIError.badRequest("invalid type \"\(type)\" (an event type such as service.updated, or a kind such as service)")
            }
            query.type = type
        }
        if let service = value("service") { query.serviceID = try Self.serviceID(service, store: store) }
        if let outcome = value("outcome") {
            guard ["applied", "refused", "failed"].contains(outcome) else {
                throw DockerAPIError.badRequest("invalid outcome \"\(outcome)\" (one of applied, refused, failed)")
            }
            query.outcome = outcome
        }
        switch value("order") {
        case nil, "desc": query.descending = true
        case "asc": query.descending = false
        case let other?: throw DockerAPIError.badRequest("invalid order \"\(other)\" (asc or desc)")
        }
        if let limit = value("limit") {
            guard let parsed = Int(limit), (1...Self.maximumLimit).contains(parsed) else {
                throw DockerAPIError.badRequest("invalid limit \"\(limit)\" (a number from 1 to \(Self.maximumLimit))")
            }
            query.limit = parsed
        }
        if let cursor = value("cursor") {
            guard let parsed = Self.cursor(cursor) else {
                throw DockerAPIError.badRequest("malformed cursor \"\(cursor.prefix(64))\" (use the Next value of a previous page)")
            }
            query.after = parsed
        }
        switch value("follow") {
        case nil, "false", "0": follow = false
        case "true", "1": follow = true
        case let other?: throw DockerAPIError.badRequest("invalid follow \"\(other)\" (true or false)")
        }
        if follow { query.descending = false }
        self.query = query
    }

    /// `INDEX.ORDINAL`, as pages hand it out.
    static func cursor(_ text: String) -> AuditCursor? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = UInt64(parts[0]), let ordinal = Int(parts[1]), ordinal >= -1, ordinal < Int(Int32.max) else { return nil }
        return AuditCursor(index: index, ordinal: ordinal)
    }

    static func text(_ cursor: AuditCursor) -> String { "\(cursor.index).\(cursor.ordinal)" }

    static func time(_ text: String, _ name: String) throws -> Timestamp {
        guard let stamp = Timestamp(eventsParameter: text) else {
            throw DockerAPIError.badRequest("invalid \(name) \"\(text.prefix(64))\" (RFC 3339 or unix seconds)")
        }
        return stamp
    }

    static func index(_ text: String, _ name: String, last: UInt64) throws -> UInt64 {
        guard let index = UInt64(text) else { throw DockerAPIError.badRequest("invalid \(name) \"\(text.prefix(64))\" (a log index)") }
        guard index <= last else {
            throw DockerAPIError.badRequest("\(name) \(index) is beyond the log (the last applied index is \(last))")
        }
        return index
    }

    /// A service's id from its name, id or id prefix; a removed service by its last name.
    static func serviceID(_ reference: String, store: ClusterStore) throws -> String {
        if let service = try? store.get(Service.self, reference) { return service.id }
        if let record = try store.auditRecords(AuditQuery(objectKind: .service, objectName: reference, descending: true, limit: 1)).records.first {
            return record.objectID
        }
        return reference
    }
}
