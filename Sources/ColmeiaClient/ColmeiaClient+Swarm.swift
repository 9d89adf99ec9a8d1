import ColmeiaModel
import Foundation

extension ColmeiaClient {
    /// `GET /_ping`: whether the daemon answers; returns the HTTP version the exchange used
    /// (`HTTP/2.0` when TLS negotiated `h2`).
    @discardableResult
    public func ping() async throws -> String {
        let response = try await send(.GET, "/_ping")
        _ = try await Self.collect(response)
        return "\(response.version)"
    }

    /// `GET /info`, kept as JSON (the CLI reads `Swarm.NodeID` and a few more members).
    public func info() async throws -> JSONValue {
        try await decode(JSONValue.self, "/info")
    }

    /// `GET /version`.
    public func version() async throws -> JSONValue {
        try await decode(JSONValue.self, "/version")
    }

    /// `GET /swarm`.
    public func swarm() async throws -> Swarm {
        try await decode(Swarm.self, "/swarm")
    }

    /// `POST /swarm/init`; returns the new node's id.
    public func initSwarm(_ request: SwarmInitOptions) async throws -> String {
        try await decode(String.self, "/swarm/init", method: .POST, body: Self.encode(request))
    }

    /// `POST /swarm/join`.
    public func joinSwarm(_ request: SwarmJoinOptions) async throws {
        try await data(.POST, "/swarm/join", body: Self.encode(request))
    }

    /// `POST /swarm/leave`.
    public func leaveSwarm(force: Bool) async throws {
        try await data(.POST, "/swarm/leave", query: force ? [("force", "true")] : [])
    }

    /// `POST /swarm/update?version=N`, optionally rotating tokens or the unlock key.
    public func updateSwarm(_ spec: SwarmSpec, version: UInt64, rotateWorkerToken: Bool = false,
                            rotateManagerToken: Bool = false, rotateManagerUnlockKey: Bool = false) async throws {
        var query = [("version", String(version))]
        if rotateWorkerToken { query.append(("rotateWorkerToken", "true")) }
        if rotateManagerToken { query.append(("rotateManagerToken", "true")) }
        if rotateManagerUnlockKey { query.append(("rotateManagerUnlockKey", "true")) }
        try await data(.POST, "/swarm/update", query: query, body: Self.encode(spec))
    }

    /// `GET /swarm/unlockkey`: the key, empty when autolock is off.
    public func unlockKey() async throws -> String {
        let answer = try await decode([String: String].self, "/swarm/unlockkey")
        return answer["UnlockKey"] ?? ""
    }

    /// `POST /swarm/unlock`.
    public func unlockSwarm(key: String) async throws {
        try await data(.POST, "/swarm/unlock", body: Self.encode(["UnlockKey": key]))
    }
}
