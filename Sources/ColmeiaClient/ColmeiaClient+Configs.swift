import ColmeiaModel
import Foundation

extension ColmeiaClient {
    /// `GET /configs`.
    public func configs(filters: [String: [String]] = [:], at: String? = nil) async throws -> [Config] {
        try await decode([Config].self, "/configs", query: Self.filtersQuery(filters) + Self.atQuery(at))
    }

    /// `GET /configs/{id}`.
    public func config(_ reference: String) async throws -> Config {
        try await decode(Config.self, "/configs/" + Self.segment(reference))
    }

    /// `POST /configs/create`; returns the id.
    public func createConfig(_ spec: ConfigSpec) async throws -> String {
        try await createdID("/configs/create", body: Self.encode(spec))
    }

    /// `DELETE /configs/{id}`.
    public func removeConfig(_ reference: String) async throws {
        try await data(.DELETE, "/configs/" + Self.segment(reference))
    }
}
