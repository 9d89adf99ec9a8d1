import ColmeiaManager
import ColmeiaModel
import ColmeiaNode
import ColmeiaRaft
import ColmeiaRaftStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The routes of the cluster port (DESIGN.md: one listener per node for Raft traffic,
/// dispatcher sessions and certificate issuance). Every route but `GET /ca` and
/// `POST /join` demands a certificate from the cluster CA, and Raft routes a manager's.
struct ClusterPortRoutes: Sendable {
    let manager: ClusterManager

    func responder() -> some HTTPResponder<ClusterPortContext> {
        let router = Router(context: ClusterPortContext.self)
        router.middlewares.add(ClusterPortErrorMiddleware())
        router.get("/ca") { _, _ in
            let pem = try await manager.caCertificatePEM()
            return Response(status: .ok, headers: [.contentType: "application/x-pem-file"],
                            body: .init(byteBuffer: ByteBuffer(string: pem)))
        }
        router.post("/join") { request, context in
            // Anyone may knock here: at most 64 KiB is read before the token is checked.
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: 64 << 10)
            } catch {
                throw DockerAPIError(.contentTooLarge, "a join request is at most 65536 bytes")
            }
            let application: JoinApplication
            do {
                application = try JSONDecoder().decode(JoinApplication.self, from: Data(body.readableBytesView))
            } catch {
                throw DockerAPIError(.badRequest, "malformed join request: \(error)")
            }
            let admission = try await manager.admit(application, peerIP: context.peerIP)
            return try JSONBody.response(admission)
        }
        router.post("/raft/messages") { request, context in
            // The busiest route: the demotion check and the delivery are one call on the
            // manager's actor.
            let node = try await peer(context, mustBeManager: true, checkDemotion: false)
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let messages: [Message]
            do {
                messages = try MessageBatch.decode(Array(body.readableBytesView))
            } catch {
                throw DockerAPIError(.badRequest, "malformed raft messages: \(error)")
            }
            try await manager.deliverFromManager(messages, from: node.nodeID)
            return Response(status: .noContent)
        }
        router.post("/raft/snapshot") { request, context in
            let node = try await peer(context, mustBeManager: true)
            func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { request.headers[$0] } }
            guard let id = header(SnapshotReassembly.idHeader),
                  let offset = header(SnapshotReassembly.offsetHeader).flatMap({ Int($0) }),
                  let total = header(SnapshotReassembly.totalHeader).flatMap({ Int($0) }) else {
                throw DockerAPIError(.badRequest, "a snapshot part needs its transfer id, offset and total size")
            }
            let chunk = try await request.body.collect(upTo: context.maxUploadSize)
            let outcome = try await manager.receiveSnapshotPart(from: node.nodeID, transfer: id, offset: offset, total: total,
                                                                 chunk: Array(chunk.readableBytesView))
            var headers = HTTPFields()
            let received: Int
            let status: HTTPResponse.Status
            switch outcome {
            case .needMore(let count): (received, status) = (count, .noContent)
            case .complete: (received, status) = (total, .noContent)
            case .outOfOrder(let count): (received, status) = (count, .conflict)
            }
            if let name = HTTPField.Name(SnapshotReassembly.receivedHeader) { headers[name] = String(received) }
            return Response(status: status, headers: headers)
        }
        router.get("/raft/status") { _, context in
            _ = try await peer(context, mustBeManager: true)
            return try JSONBody.response(try await manager.raftStatus())
        }
        router.get("/node/role") { _, context in
            let node = try await peer(context, mustBeManager: false)
            return try JSONBody.response(try await manager.desiredRole(of: node.nodeID))
        }
        router.post("/node/certificate") { request, context in
            let node = try await peer(context, mustBeManager: false)
            let renewal = try await request.decode(as: CertificateRenewal.self, context: context)
            return try JSONBody.response(try await manager.reissueCertificate(for: node.nodeID, csrPEM: renewal.csrPEM))
        }
        router.post("/node/tls") { request, context in
            let node = try await peer(context, mustBeManager: false)
            let info = try await request.decode(as: TLSInfo.self, context: context)
            try await manager.recordTLSInfo(of: node.nodeID, info)
            return try JSONBody.response(DispatcherAck())
        }
        router.post("/raft/join") { request, context in
            let node = try await peer(context, mustBeManager: true)
            let join = try await request.decode(as: RaftJoinRequest.self, context: context)
            try await manager.addPromotedManager(node.nodeID, join, peerIP: context.peerIP)
            return try JSONBody.response(DispatcherAck())
        }
        router.post("/dispatcher/register") { request, context in
            let node = try await peer(context, mustBeManager: false)
            let description = try await request.decode(as: NodeDescription.self, context: context)
            let dispatcher = try await leaderDispatcher()
            return try JSONBody.response(try await dispatcher.register(
                nodeID: node.nodeID, description: description, addr: context.peerIP ?? ""))
        }
        router.post("/dispatcher/heartbeat") { request, context in
            let session = try await ownSession(request, context)
            let period = try await leaderDispatcher().heartbeat(session)
            return try JSONBody.response(HeartbeatAnswer(period: period))
        }
        router.post("/dispatcher/report") { request, context in
            let node = try await peer(context, mustBeManager: false)
            let report = try await request.decode(as: StatusReport.self, context: context)
            guard report.session.nodeID == node.nodeID else { throw DockerAPIError(.forbidden, "the session belongs to another node") }
            try await leaderDispatcher().report(report.session, report.updates)
            return try JSONBody.response(DispatcherAck())
        }
        router.post("/dispatcher/assignments") { request, context in
            let session = try await ownSession(request, context)
            let sets = try await leaderDispatcher().assignments(session)
            let body = ResponseBody { writer in
                for try await set in sets.cancelOnGracefulShutdown() {
                    var line = try JSONEncoder().encode(set)
                    line.append(UInt8(ascii: "\n"))
                    try await writer.write(ByteBuffer(bytes: line))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
        }
        router.post("/agent/logs") { request, context in
            // Only a manager may read a node's task logs (it serves `docker service logs`).
            _ = try await peer(context, mustBeManager: true)
            let logRequest = try await request.decode(as: NodeLogRequest.self, context: context)
            let records = try await manager.localLogRecords(of: logRequest.tasks, options: logRequest.options)
            let body = ResponseBody { writer in
                let encoder = JSONEncoder()
                for await record in records.cancelOnGracefulShutdown() {
                    var line = try encoder.encode(record)
                    line.append(UInt8(ascii: "\n"))
                    try await writer.write(ByteBuffer(bytes: line))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
        }
        return router.buildResponder()
    }

    private func ownSession(_ request: Request, _ context: ClusterPortContext) async throws -> AgentSession {
        let node = try await peer(context, mustBeManager: false)
        let session = try await request.decode(as: AgentSession.self, context: context)
        guard session.nodeID == node.nodeID else { throw DockerAPIError(.forbidden, "the session belongs to another node") }
        return session
    }

    /// This node's dispatcher when it leads; otherwise 503 naming the leader, so the agent
    /// can go there.
    private func leaderDispatcher() async throws -> Dispatcher {
        if let dispatcher = await manager.leaderDispatcher() { return dispatcher }
        throw ClusterPortRedirect(leader: await manager.leaderAddress())
    }

    /// `checkDemotion: false` leaves the check that a manager was not demoted to the caller.
    private func peer(_ context: ClusterPortContext, mustBeManager: Bool, checkDemotion: Bool = true) async throws -> PeerIdentity {
        guard let der = await context.peerCertificateDER() else {
            throw DockerAPIError(.unauthorized, "a certificate from the cluster's CA is required")
        }
        let identity = try PeerIdentityCache.identity(der: der)
        if mustBeManager && identity.role != "manager" {
            throw DockerAPIError(.forbidden, "Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = Permission denied: remote certificate not part of OUs: [swarm-manager]")
        }
        // A demoted manager's certificate stays valid until it expires; the replicated
        // state says what the node is now.
        if mustBeManager, checkDemotion, !(await manager.isStillManager(identity.nodeID)) {
            throw DockerAPIError.demotedManager(identity.nodeID)
        }
        return identity
    }
}

/// Who is on the other end of a cluster-port connection, from its certificate.
struct PeerIdentity: Sendable, Hashable {
    var nodeID: String
    var role: String
}

/// The dispatcher answer of a manager that does not lead: where the leader is.
struct ClusterPortRedirect: Error, HTTPResponseError {
    var leader: String?
    var status: HTTPResponse.Status { .serviceUnavailable }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "text/plain"]
        if let leader, let name = HTTPField.Name("X-Colmeia-Leader") { headers[name] = leader }
        return Response(status: status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: "this manager is not the leader")))
    }
}

struct ClusterPortErrorMiddleware: RouterMiddleware {
    typealias Context = ClusterPortContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ClusterPortRedirect {
            throw error
        } catch let error as DockerAPIError {
            throw error
        } catch let error as DispatcherError {
            switch error {
            case .sessionInvalid: throw DockerAPIError(.gone, error.description)
            case .unavailable: throw DockerAPIError(.serviceUnavailable, error.description)
            }
        } catch {
            throw DockerAPIError(error)
        }
    }
}
