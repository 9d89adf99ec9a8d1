import ColmeiaModel
import Foundation

extension ColmeiaClient {
    /// `GET /networks`.
    public func networks(filters: [String: [String]] = [:]) async throws -> [Network] {
        try await decode([Network].self, "/networks", query: Self.filtersQuery(filters))
    }

    /// `GET /networks/{id}`.
    public func network(_ reference: String) async throws -> Network {
        try await decode(Network.self, "/networks/" + Self.segment(reference))
    }

    /// `POST /networks/create`; returns the id.
    public func createNetwork(_ request: NetworkCreateRequest) async throws -> String {
        try await createdID("/networks/create", body: Self.encode(request))
    }

    /// `DELETE /networks/{id}`.
    public func removeNetwork(_ reference: String) async throws {
        try await data(.DELETE, "/networks/" + Self.segment(reference))
    }
}
