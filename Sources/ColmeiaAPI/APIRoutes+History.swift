import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import Hummingbird
import NIOPosix

extension APIRoutes {
    /// One version of a service's spec: when, by whom, and what changed from the one before.
    struct ServiceVersionResponse: Codable {
        /// 1 for the spec the service was created with, then one more for each change of spec.
        var Version: Int
        var Index: UInt64
        var Time: String
        var Actor: AuditRecordResponse.ActorJSON
        var RequestID: String?
        var UserAgent: String?
        var `Type`: String
        var Spec: JSONValue
        /// From the previous version's spec to this one (paths from the spec's root).
        var Patch: JSONPatch
    }

    struct ServiceHistoryResponse: Codable {
        var ID: String
        var Name: String
        var Removed: Bool
        var Versions: [ServiceVersionResponse]
    }

    struct ServiceDiffResponse: Codable {
        var ID: String
        var From: Int
        var To: Int
        var Patch: JSONPatch
    }

    func addHistoryRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/services/{id}/history") { _, context -> Response in
            let store = try await self.store()
            return try JSONResponse.encode(try Self.history(of: context.objectReference(), store: store))
        }
        router.get("/colmeia/v1/services/{id}/diff") { request, context -> Response in
            let store = try await self.store()
            let history = try Self.history(of: context.objectReference(), store: store)
            func version(_ name: String, default fallback: Int) throws -> ServiceVersionResponse {
                let text = request.uri.queryParameters.get(name).map { String($0) } ?? ""
                let number = text.isEmpty ? fallback : Int(text) ?? -1
                guard let found = history.Versions.first(where: { $0.Version == number }) else {
                    throw DockerAPIError.badRequest("invalid \(name) \"\(text.prefix(32))\": service \(history.Name) has versions 1 to \(history.Versions.count)")
                }
                return found
            }
            let to = try version("to", default: history.Versions.count)
            let from = try version("from", default: max(1, to.Version - 1))
            return try JSONResponse.encode(ServiceDiffResponse(ID: history.ID, From: from.Version, To: to.Version,
                                                               Patch: JSONPatch.diff(from: from.Spec, to: to.Spec)))
        }
    }

    /// Every spec a service has had, from the audit trail (archive included): the service
    /// may have been removed since.
    static func history(of reference: String, store: ClusterStore) throws -> ServiceHistoryResponse {
        let id = try AuditQueryParameters.serviceID(reference, store: store)
        var query = AuditQuery(objectKind: .service, objectID: id, limit: 1_000)
        var versions: [ServiceVersionResponse] = []
        var name = ""
        var removed = false
        var previous: JSONValue?
        while true {
            let page = try store.auditRecords(query)
            for record in page.records {
                if record.type == "service.removed" {
                    removed = true
                    continue
                }
                let payload = try JSONDecoder().decode(JSONValue.self, from: Data(record.shownPayload.utf8))
                guard let spec = payload.objectValue?["Spec"] else { continue }
                removed = false
                name = record.objectName
                if let previous, previous == spec { continue }
                let actor = AuditRecordResponse.ActorJSON(Kind: record.actor.kind.rawValue, ID: record.actor.id,
                                                      Details: record.actor.details.isEmpty ? nil : record.actor.details)
                versions.append(ServiceVersionResponse(
                    Version: versions.count + 1, Index: record.index, Time: record.time.rfc3339, Actor: actor,
                    RequestID: record.requestID, UserAgent: record.actor.details["userAgent"], Type: record.type, Spec: spec,
                    Patch: JSONPatch.diff(from: previous ?? .object([:]), to: spec)))
                previous = spec
            }
            guard let next = page.next else { break }
            query.after = next
        }
        guard !versions.isEmpty else { throw DockerAPIError(.notFound, "service \(reference) not found") }
        return ServiceHistoryResponse(ID: id, Name: name, Removed: removed, Versions: versions)
    }

    /// The store a read answers from: the live read models, or with `?at=INDEX|TIME` the
    /// state as of that log index (a number) or time (RFC 3339 or unix seconds with a
    /// fraction), rebuilt from the audit trail.
    /// `kinds`: what the route reads (a list of services needs no tasks).
    func readStore(_ request: Request, kinds: Set<ObjectKind>) async throws -> ClusterStore {
        let store = try await self.store()
        guard let at = request.uri.queryParameters.get("at").map({ String($0) }), !at.isEmpty else { return store }
        let index: UInt64
        if let number = UInt64(at) {
            index = number
        } else if let time = Timestamp(eventsParameter: at) {
            index = try store.index(at: time)
        } else {
            throw DockerAPIError.badRequest("invalid at \"\(at.prefix(64))\" (a log index, or a time in RFC 3339 or unix seconds with a fraction)")
        }
        // Building the store is blocking SQLite work: off the cooperative pool.
        return try await NIOThreadPool.singleton.runIfActive { try store.asOf(index: index, kinds: kinds) }
    }
}
