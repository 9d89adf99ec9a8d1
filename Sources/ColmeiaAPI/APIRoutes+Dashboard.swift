import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

extension APIRoutes {
    /// What the dashboard's page needs to know before it reads anything: which kind of node
    /// answered and what the caller's role lets it do (the buttons it may show).
    struct DashboardSession: Encodable {
        struct NodeJSON: Encodable {
            var ID: String
            /// `manager`, `worker`, or `none` (not in a swarm).
            var Role: String
            var Locked: Bool
        }

        struct IdentityJSON: Encodable {
            var Name: String
            var Role: String?
        }

        struct Allowed: Encodable {
            var ScaleService: Bool
            var RollbackService: Bool
            var SetNodeAvailability: Bool
            var ReadAudit: Bool
        }

        var Node: NodeJSON
        var Identity: IdentityJSON
        var Allowed: Allowed
    }

    /// `/ui`: the dashboard's static assets, its session and its change stream. The access
    /// rules are the API's (`ui` needs a viewer); every action the page offers is an
    /// ordinary API write that the same rules judge.
    func addDashboardRoutes(to router: Router<APIRequestContext>) {
        router.get("/ui") { request, _ in
            try Self.asset(DashboardAssets.index, request: request)
        }
        router.get("/ui/{asset}") { request, context in
            let name = try context.parameters.require("asset")
            guard let asset = DashboardAssets.named(name) else {
                throw DockerAPIError(.notFound, "page not found")
            }
            return try Self.asset(asset, request: request)
        }
        router.get("/ui/api/session") { _, context in
            let identity = await self.manager.nodeIdentity
            let locked = await self.manager.isLocked
            let role = identity.map { $0.isManager ? "manager" : "worker" } ?? "none"
            func may(_ method: HTTPRequest.Method, _ path: String) -> Bool {
                guard role == "manager", let have = context.identity.role else { return false }
                guard let needed = APIPermission.of(method: method, path: path).role else { return true }
                return have >= needed
            }
            let session = DashboardSession(
                Node: .init(ID: identity?.nodeID ?? "", Role: role, Locked: locked),
                Identity: .init(Name: context.identity.name, Role: context.identity.role?.rawValue),
                Allowed: .init(ScaleService: may(.post, "/services/x/update"),
                               RollbackService: may(.post, "/services/x/update"),
                               SetNodeAvailability: may(.post, "/nodes/x/update"),
                               ReadAudit: may(.get, "/colmeia/v1/audit")))
            var response = try JSONResponse.encode(session)
            response.headers[.cacheControl] = "no-store"
            return response
        }
        router.get("/ui/api/stream") { request, _ in
            try await self.dashboardStream(request)
        }
    }

    /// A static asset with its ETag: a conditional request for the same bytes is a 304.
    static func asset(_ asset: DashboardAssets.Asset, request: Request) throws -> Response {
        var headers = HTTPFields()
        headers[.eTag] = asset.etag
        // The page is small and changes with the binary: revalidate every time, by ETag.
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if let tags = request.headers[.ifNoneMatch],
           tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        if asset.contentType.hasPrefix("text/html") {
            // Nothing but the page's own files: no inline script, no other origin.
            headers[HTTPField.Name("Content-Security-Policy")!] =
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.body)))
    }

    /// `GET /ui/api/stream`: Server-Sent Events telling the page what changed, never what it
    /// became (the page re-reads the objects through the ordinary API, under the caller's
    /// rights, so no payload here can carry a secret). Every applied command is one `change`
    /// event whose id is its Raft index, so a reconnecting `EventSource` resumes after the
    /// last index it saw (`Last-Event-ID`, or `?after=`); a `leader` event says this
    /// manager's view of the leader changed (the leader is not in the read models).
    func dashboardStream(_ request: Request) async throws -> Response {
        let store = try await self.store()
        let manager = self.manager
        let applied = store.applied.index
        let asked = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { UInt64($0) }
            ?? request.uri.queryParameters.get("after").flatMap { UInt64($0) }
        // A resume point from another store's future (a restored swarm) starts at the present.
        let start = asked.map { min($0, applied) } ?? applied
        // As `/events`: `until` (unix seconds) ends the stream then; one in the past ends it at once.
        let until = request.uri.queryParameters.get("until").flatMap { Double($0) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        let body = ResponseBody { writer in
            // A page that does not keep up is cut off rather than sent a stream with a gap:
            // the newest event is the one refused, so its `EventSource` resumes right after
            // the last change it did get, and misses none.
            let (lines, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(256))
            let send: @Sendable (String) -> Void = { text in
                if case .dropped = continuation.yield(text) { continuation.finish() }
            }
            let leader = await manager.localNode()?.status.leader
            send(Self.sse(event: "hello", id: start, data: "{\"Index\":\(start),\"Leader\":\(leader ?? 0)}"))
            let changes = Task {
                var iterator = store.changes(after: start).makeAsyncIterator()
                do {
                    while true {
                        let batches = try await iterator.nextPage(limit: 512)
                        guard let last = batches.last else { continue }
                        send(Self.sse(event: "change", id: last.index, data: Self.changeSummary(batches)))
                    }
                } catch {
                    continuation.finish()
                }
            }
            let watch = Task {
                var seen = leader
                var quiet = 0
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(200))
                    let now = await manager.localNode()?.status.leader
                    if now != seen {
                        seen = now
                        send(Self.sse(event: "leader", id: nil, data: "{\"Leader\":\(now ?? 0)}"))
                        quiet = 0
                    } else {
                        quiet += 1
                        // A comment now and then keeps proxies and idle timers from closing the stream.
                        if quiet >= 75 {
                            send(": keep-alive\n\n")
                            quiet = 0
                        }
                    }
                }
            }
            let timer = Task {
                guard let until else { return }
                let wait = until - Date().timeIntervalSince1970
                if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
                continuation.finish()
            }
            defer {
                changes.cancel()
                watch.cancel()
                timer.cancel()
            }
            for await text in lines.cancelOnGracefulShutdown() {
                try await writer.write(ByteBuffer(string: text))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    static func sse(event: String, id: UInt64?, data: String) -> String {
        (id.map { "id: \($0)\n" } ?? "") + "event: \(event)\ndata: \(data)\n\n"
    }

    /// `{"Index": N, "Changes": [{"Kind": "task", "ID": "…", "Type": "task.updated"}, …]}`:
    /// the kinds and ids only.
    static func changeSummary(_ batches: [ChangeBatch]) -> String {
        struct Change: Encodable {
            var Kind: String
            var ID: String
            var `Type`: String
        }
        struct Summary: Encodable {
            var Index: UInt64
            var Changes: [Change]
        }
        let changes = batches.flatMap(\.records).map { Change(Kind: $0.objectKind.rawValue, ID: $0.objectID, Type: $0.type) }
        let summary = Summary(Index: batches.last?.index ?? 0, Changes: changes)
        let data = (try? JSONEncoder().encode(summary)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
