import ColmeiaModel
import Foundation

extension ColmeiaClient {
    /// `GET /secrets`.
    public func secrets(filters: [String: [String]] = [:], at: String? = nil) async throws -> [Secret] {
        try await decode([Secret].self, "/secrets", query: Self.filtersQuery(filters) + Self.atQuery(at))
    }

    /// `GET /secrets/{id}`: by id, id prefix or name.
    public func secret(_ reference: String) async throws -> Secret {
        try await decode(Secret.self, "/secrets/" + Self.segment(reference))
    }

    /// `POST /secrets/create`; returns the id.
    public func createSecret(_ spec: SecretSpec) async throws -> String {
        try await createdID("/secrets/create", body: Self.encode(spec))
    }

    /// `DELETE /secrets/{id}`.
    public func removeSecret(_ reference: String) async throws {
        try await data(.DELETE, "/secrets/" + Self.segment(reference))
    }

    /// Posts a create request and returns the `ID` (or `Id`) of the answer.
    func createdID(_ path: String, body: Data) async throws -> String {
        let answer = try await decode(JSONValue.self, path, method: .POST, body: body)
        guard let id = (answer["ID"] ?? answer["Id"])?.stringValue else {
            throw ColmeiaClientError.badResponse("no ID in the answer of \(path)")
        }
        return id
    }
}
