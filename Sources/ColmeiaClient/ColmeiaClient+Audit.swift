import ColmeiaModel
import Foundation

extension ColmeiaClient {
    /// `GET /colmeia/v1/audit` with `parameters` (since, until, actor, service, type…): one
    /// page, as JSON (`Records`, `Next`).
    public func auditPage(_ parameters: [(String, String)]) async throws -> JSONValue {
        try await decode(JSONValue.self, "/colmeia/v1/audit", query: parameters)
    }

    /// `GET /colmeia/v1/audit?follow=true`: calls `handle` with each record as it is applied.
    public func followAudit(_ parameters: [(String, String)], handle: (JSONValue) async throws -> Void) async throws {
        try await jsonLines(.GET, "/colmeia/v1/audit", query: parameters + [("follow", "true")], what: "an audit record", handle: handle)
    }

    /// `GET /colmeia/v1/audit/verify`.
    public func verifyAudit() async throws -> JSONValue {
        try await decode(JSONValue.self, "/colmeia/v1/audit/verify")
    }

    /// `GET /colmeia/v1/audit/export`: the trail as NDJSON, handed over a buffer at a time.
    public func exportAudit(write: (Data) throws -> Void) async throws {
        let response = try await send(.GET, "/colmeia/v1/audit/export", streaming: true)
        for try await buffer in response.body { try write(Data(buffer.readableBytesView)) }
    }

    /// `GET /colmeia/v1/services/{id}/history`.
    public func serviceHistory(_ reference: String) async throws -> JSONValue {
        try await decode(JSONValue.self, "/colmeia/v1/services/" + Self.segment(reference) + "/history")
    }

    /// `GET /colmeia/v1/services/{id}/diff?from=N&to=M`.
    public func serviceDiff(_ reference: String, from: Int?, to: Int?) async throws -> JSONValue {
        var query: [(String, String)] = []
        if let from { query.append(("from", String(from))) }
        if let to { query.append(("to", String(to))) }
        return try await decode(JSONValue.self, "/colmeia/v1/services/" + Self.segment(reference) + "/diff", query: query)
    }
}
