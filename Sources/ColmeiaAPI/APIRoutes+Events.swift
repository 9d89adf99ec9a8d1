import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

extension APIRoutes {
    func addEventRoutes(to router: Router<APIRequestContext>) {
        router.get("/events") { request, _ in
            let store = try await self.store()
            let filters = try request.filters()
            let since = try Self.timeParameter(request, "since")
            let until = try Self.timeParameter(request, "until")
            let matcher = EventFilter(filters: filters, store: store)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = ResponseBody { writer in
                // As dockerd: without `since` the stream starts at the present (nothing is
                // replayed, `until` alone only bounds the live stream). With `since`, replay
                // from the audit trail (so it works across restarts), then follow the change
                // feed from where the replay ended, without a gap.
                let startIndex = store.applied.index
                if let since {
                    var query = AuditQuery(since: since, until: until, limit: 500)
                    while true {
                        let page = try store.audit(query)
                        for record in page.records where record.index <= startIndex {
                            if let line = try matcher.line(for: record) { try await writer.write(line) }
                        }
                        guard let next = page.next else { break }
                        query.after = next
                    }
                }
                if let until, until <= Timestamp.now() {
                    try await writer.finish(nil)
                    return
                }
                try await Self.follow(store: store, after: startIndex, until: until, matcher: matcher, writer: &writer)
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    private static func follow(store: ClusterStore, after index: UInt64, until: Timestamp?, matcher: EventFilter,
                               writer: inout any ResponseBodyWriter) async throws {
        let lines = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            let task = Task {
                do {
                    for try await batch in store.changes(after: index) {
                        for record in batch.records {
                            if let until, record.time > until {
                                continuation.finish()
                                return
                            }
                            if let line = try matcher.line(for: record) { continuation.yield(line) }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            let timer = Task {
                guard let until else { return }
                let wait = until.nanoseconds(since: Timestamp.now())
                if wait > 0 { try await Task.sleep(for: .nanoseconds(wait)) }
                continuation.finish()
            }
            continuation.onTermination = { _ in
                task.cancel()
                timer.cancel()
            }
        }
        // A stream nobody ends (no `until`, or a client gone without a word) must not hold
        // the daemon's graceful shutdown: it ends when the shutdown begins.
        for try await line in lines.cancelOnGracefulShutdown() { try await writer.write(line) }
    }

    private static func timeParameter(_ request: Request, _ name: String) throws -> Timestamp? {
        guard let text = request.uri.queryParameters.get(name), !text.isEmpty else { return nil }
        guard let stamp = Timestamp(eventsParameter: text) else {
            throw DockerAPIError.badRequest("invalid value for \(name): \(text)")
        }
        return stamp
    }
}

/// Docker's event filters (`type`, `event`, `scope`, and the object filters by id or name).
struct EventFilter: Sendable {
    let filters: Filters
    let store: ClusterStore

    func line(for record: AuditRecord) throws -> ByteBuffer? {
        var name = DockerEvent.name(fromPayload: record.payload, kind: record.objectKind)
        if name == nil {
            // A removal carries only the id; its name is in the object's earlier rows.
            let history = try store.audit(AuditQuery(objectKind: record.objectKind, objectID: record.objectID, limit: 1_000))
            name = history.records.reversed().lazy.compactMap {
                DockerEvent.name(fromPayload: $0.payload, kind: record.objectKind)
            }.first
        }
        guard let event = DockerEvent(record, name: name), matches(event) else { return nil }
        var data = try JSONEncoder().encode(event)
        data.append(0x0A)
        return ByteBuffer(bytes: data)
    }

    private func matches(_ event: DockerEvent) -> Bool {
        for (key, values) in filters.values where !values.isEmpty {
            switch key {
            case "type": if !values.contains(event.type) { return false }
            case "event": if !values.contains(event.action) { return false }
            case "scope": if !values.contains(event.scope) { return false }
            case "service", "node", "secret", "config", "network":
                guard event.type == key else { return false }
                let name = event.actor.attributes["name"]
                if !values.contains(where: { $0 == event.actor.id || $0 == name || event.actor.id.hasPrefix($0) }) { return false }
            default:
                continue
            }
        }
        return true
    }
}
