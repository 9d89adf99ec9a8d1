import ColmeiaModel
import Foundation

/// What `POST /colmeia/v1/tokens` answers, once: the token itself is not kept.
public struct IssuedToken: Sendable, Codable {
    public var id: String
    public var name: String
    public var role: AccessRole
    public var token: String

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case name = "Name"
        case role = "Role"
        case token = "Token"
    }
}

extension ColmeiaClient {
    /// `GET /colmeia/v1/tokens`.
    public func tokens() async throws -> [AccessToken] {
        try await decode([AccessToken].self, "/colmeia/v1/tokens")
    }

    /// `POST /colmeia/v1/tokens`: the answer holds the token, shown this once.
    public func createToken(_ spec: AccessTokenSpec) async throws -> IssuedToken {
        try await decode(IssuedToken.self, "/colmeia/v1/tokens", method: .POST, body: Self.encode(spec))
    }

    /// `DELETE /colmeia/v1/tokens/{id}`: revokes the token on every manager.
    public func removeToken(_ reference: String) async throws {
        try await data(.DELETE, "/colmeia/v1/tokens/" + Self.segment(reference))
    }
}
