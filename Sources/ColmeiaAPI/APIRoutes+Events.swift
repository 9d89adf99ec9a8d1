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
            let matcher = EventFilter(filters: filters, resolver: EventResolver(store: store))
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let fanOut = self.eventFanOut
            let body = ResponseBody { writer in
                // Follow first: the shared reader delivers every event after `startIndex`.
                let subscription = fanOut.subscribe(store)
                let startIndex = subscription.startIndex
                let subscribedAt = Timestamp.now()
                // Where a follower cut off for falling behind resumes: the time of the last
                // event it was sent (it may see that second's events again, never a gap).
                var lastSent: Timestamp?
                // As dockerd: without `since` the stream starts at the present (nothing is
                // replayed, `until` alone only bounds the live stream). With `since`, replay
                // from the audit trail (so it works across restarts) up to where following
                // begins, without a gap.
                if let since {
                    var query = AuditQuery(since: since, until: until, limit: 500)
                    while true {
                        let page = try store.audit(query)
                        for record in page.records where record.index <= startIndex {
                            if let line = try matcher.line(for: record) {
                                try await writer.write(line)
                                lastSent = record.time
                            }
                        }
                        guard let next = page.next else { break }
                        query.after = next
                    }
                }
                if let until, until <= Timestamp.now() {
                    subscription.finish()
                    try await writer.finish(nil)
                    return
                }
                let timer = Task {
                    guard let until else { return }
                    let wait = until.nanoseconds(since: Timestamp.now())
                    if wait > 0 { try await Task.sleep(for: .nanoseconds(wait)) }
                    subscription.finish()
                }
                defer { timer.cancel() }
                do {
                    // A stream nobody ends (no `until`, or a client gone without a word) must
                    // not hold the daemon's graceful shutdown: it ends when the shutdown begins.
                    following: for try await items in subscription.items.cancelOnGracefulShutdown() {
                        var lines = ByteBuffer()
                        var ended = false
                        for item in items {
                            if let until, item.time > until {
                                ended = true
                                break
                            }
                            if matcher.matches(item.event) { lines.writeImmutableBuffer(item.line) }
                            lastSent = item.time
                        }
                        if lines.readableBytes > 0 { try await writer.write(lines) }
                        if ended { break following }
                    }
                } catch EventFanOut.Ending.fellBehind(let limit) {
                    let resume = (lastSent ?? subscribedAt).seconds - 1
                    let message = "events stream closed: this client fell \(limit) events behind the swarm; "
                        + "reconnect with since=\(resume) to resume"
                    var data = try JSONEncoder().encode(["message": message])
                    data.append(0x0A)
                    try await writer.write(ByteBuffer(bytes: data))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
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
    let resolver: EventResolver

    func line(for record: AuditRecord) throws -> ByteBuffer? {
        guard let (event, line) = try resolver.encoded(record), matches(event) else { return nil }
        return line
    }

    func matches(_ event: DockerEvent) -> Bool {
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
