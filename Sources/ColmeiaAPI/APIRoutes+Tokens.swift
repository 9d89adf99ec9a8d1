import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import Hummingbird

/// `POST /colmeia/v1/tokens` answers this once: the token itself is never stored.
struct CreatedToken: Codable, Sendable {
    var id: String
    var name: String
    var role: AccessRole
    var token: String

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case name = "Name"
        case role = "Role"
        case token = "Token"
    }
}

extension APIRoutes {
    /// Colmeia's own bearer tokens (admin only): create (the secret is shown once), list,
    /// inspect, revoke. Every manager checks tokens against its read models, so a revoked
    /// token stops working on each manager as soon as the revocation applies there.
    func addTokenRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/tokens") { _, _ in
            try JSONResponse.encode(try await self.store().list(AccessToken.self).map { $0.redactedForAPI() })
        }
        router.post("/colmeia/v1/tokens") { request, context in
            var spec = try await JSONResponse.decode(AccessTokenSpec.self, from: request, context: context, limit: 64 << 10)
            try Self.validate(spec)
            if let expiresAt = spec.expiresAt, expiresAt <= .now() {
                throw DockerAPIError.badRequest("the token would expire at \(expiresAt.rfc3339), which has passed")
            }
            if spec.role != .deployer { spec.labels = [:]; spec.stack = nil }
            try CommandFactory.refuseIdempotencyKey(context, creating: "a token")
            let id = CommandFactory.newID(context)
            let (text, hash) = BearerToken.make(id: id)
            _ = try await self.submit(ClusterCommand(
                envelope: CommandFactory.envelope(for: request, context: context),
                preconditions: [.nameAbsent(kind: .token, name: spec.name)],
                events: [.tokenCreated(AccessToken(id: id, spec: spec, secretHash: hash))]))
            return try JSONResponse.encode(CreatedToken(id: id, name: spec.name, role: spec.role, token: text), status: .created)
        }
        router.get("/colmeia/v1/tokens/{id}") { _, context in
            try JSONResponse.encode(try await self.store().get(AccessToken.self, context.objectReference()).redactedForAPI())
        }
        router.delete("/colmeia/v1/tokens/{id}") { request, context in
            let token = try await self.store().get(AccessToken.self, context.objectReference())
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     events: [.tokenRemoved(id: token.id)]))
            return Response(status: .ok)
        }
    }

    private static func validate(_ spec: AccessTokenSpec) throws {
        do throws(ValidationError) {
            try NameRules.validateConfigOrSecretName(spec.name, field: "Name")
        } catch {
            throw DockerAPIError(.badRequest, "invalid token name: " + error.message)
        }
    }
}
