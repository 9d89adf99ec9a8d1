import AsyncHTTPClient
import ColmeiaModel
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The dispatcher protocol over the cluster port: an agent on a node that does not lead
/// talks to the leader's dispatcher. The node's identity is its TLS certificate, so the
/// node id in a request body is never trusted by the server.
public final class RemoteDispatcherConnection: DispatcherConnection {
    private let transport: ClusterTransport
    /// The managers' cluster addresses, the leader's first when it is known.
    private let managers: @Sendable () -> [String]
    /// Where the last answer said the leader is, or the manager to try next.
    private let target = Mutex<String?>(nil)

    public init(transport: ClusterTransport, managers: @escaping @Sendable () -> [String]) {
        self.transport = transport
        self.managers = managers
    }

    public func register(nodeID: String?, description: NodeDescription) async throws -> AgentSession {
        try await call("register", body: description, answer: AgentSession.self)
    }

    public func heartbeat(_ session: AgentSession) async throws -> Int64 {
        try await call("heartbeat", body: session, answer: HeartbeatAnswer.self).period
    }

    public func report(_ session: AgentSession, _ updates: [TaskStatusUpdate]) async throws {
        _ = try await call("report", body: StatusReport(session: session, updates: updates), answer: DispatcherAck.self)
    }

    /// One long response of newline-separated assignment sets; it ends with the session.
    /// Each set is whole, so only the newest one waits for the agent: an agent busy
    /// applying a set never holds a backlog of sets it would apply only to replace.
    public func assignments(_ session: AgentSession) async throws -> AsyncThrowingStream<Assignments, any Error> {
        let response = try await send("assignments", body: session, timeout: .hours(24 * 365))
        return AsyncThrowingStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let reader = Task {
                var pending = [UInt8]()
                let decoder = JSONDecoder()
                do {
                    for try await chunk in response.body {
                        pending.append(contentsOf: chunk.readableBytesView)
                        var start = pending.startIndex
                        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                            continuation.yield(try decoder.decode(Assignments.self, from: Data(pending[start..<newline])))
                            start = pending.index(after: newline)
                        }
                        pending.removeSubrange(..<start)
                    }
                    continuation.finish(throwing: DispatcherError.sessionInvalid)
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    private func call<Body: Encodable, Answer: Decodable>(_ path: String, body: Body, answer: Answer.Type) async throws -> Answer {
        let response = try await send(path, body: body, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return try JSONDecoder().decode(Answer.self, from: Data(bytes.readableBytesView))
    }

    private func send<Body: Encodable>(_ path: String, body: Body, timeout: TimeAmount) async throws -> HTTPClientResponse {
        let known = managers()
        guard let address = target.withLock({ $0 }) ?? known.first else {
            throw DispatcherError.unavailable("no manager is known")
        }
        var request = HTTPClientRequest(url: "https://\(address)/dispatcher/\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response: HTTPClientResponse
        do {
            response = try await transport.client.execute(request, timeout: timeout)
        } catch {
            // That manager is gone: the agent's retry goes to the next one.
            let next = known.firstIndex(of: address).map { known[(known.index(after: $0)) % known.count] } ?? known.first
            target.withLock { $0 = next }
            throw error
        }
        switch response.status.code {
        case 200..<300:
            return response
        case 410:
            throw DispatcherError.sessionInvalid
        case 503 where response.headers.first(name: "X-Colmeia-Leader") != nil:
            let leader = response.headers.first(name: "X-Colmeia-Leader")
            target.withLock { $0 = leader }
            throw DispatcherError.unavailable("\(address) is not the leader; the leader is \(leader ?? "unknown")")
        default:
            let bytes = try await response.body.collect(upTo: 1 << 16)
            throw DispatcherError.unavailable(String(decoding: bytes.readableBytesView, as: UTF8.self))
        }
    }
}

/// The bodies of the dispatcher routes.
public struct HeartbeatAnswer: Codable, Sendable {
    public var period: Int64
    public init(period: Int64) { self.period = period }
}

public struct StatusReport: Codable, Sendable {
    public var session: AgentSession
    public var updates: [TaskStatusUpdate]
    public init(session: AgentSession, updates: [TaskStatusUpdate]) {
        self.session = session
        self.updates = updates
    }
}

public struct DispatcherAck: Codable, Sendable {
    public init() {}
}
