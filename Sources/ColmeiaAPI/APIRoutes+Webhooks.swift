import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import Hummingbird

/// What creating (or rotating) a webhook answers, once: the secret and where to call.
struct WebhookCredentials: Codable, Sendable {
    var id: String
    var name: String
    var provider: WebhookSpec.Provider
    var secret: String
    /// The path to POST deliveries to (a Docker Hub webhook's carries the secret).
    var path: String

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case name = "Name"
        case provider = "Provider"
        case secret = "Secret"
        case path = "Path"
    }

    init(_ hook: Webhook) {
        id = hook.id
        name = hook.spec.name
        provider = hook.spec.provider
        secret = hook.secret
        path = "/colmeia/v1/hooks/" + hook.spec.name + (hook.spec.provider == .dockerhub ? "/" + hook.secret : "")
    }
}

extension APIRoutes {
    /// Webhooks (admin to change, operator to read): create (the secret is shown once),
    /// list, inspect, update, rotate the secret, remove.
    func addWebhookRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/webhooks") { request, _ in
            try JSONResponse.encode(try await self.store().list(Webhook.self, filters: request.filters()).map { $0.redactedForAPI() })
        }
        router.post("/colmeia/v1/webhooks") { request, context in
            var spec = try await JSONResponse.decode(WebhookSpec.self, from: request, context: context, limit: 64 << 10)
            try await self.resolveTarget(&spec)
            try CommandFactory.refuseIdempotencyKey(context, creating: "a webhook")
            let hook = Webhook(id: CommandFactory.newID(context), spec: spec, secret: WebhookSignature.newSecret())
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     preconditions: [.nameAbsent(kind: .webhook, name: spec.name)],
                                                     events: [.webhookCreated(hook)]))
            return try JSONResponse.encode(WebhookCredentials(hook), status: .created)
        }
        router.get("/colmeia/v1/webhooks/{id}") { _, context in
            try JSONResponse.encode(try await self.store().get(Webhook.self, context.objectReference()).redactedForAPI())
        }
        router.post("/colmeia/v1/webhooks/{id}/update") { request, context in
            var hook = try await self.store().get(Webhook.self, context.objectReference())
            let version = try request.version()
            var spec = try await JSONResponse.decode(WebhookSpec.self, from: request, context: context, limit: 64 << 10)
            if spec.name.isEmpty { spec.name = hook.spec.name }
            guard spec.name == hook.spec.name else { throw DockerAPIError.badRequest("renaming webhooks is not supported") }
            try await self.resolveTarget(&spec)
            hook.spec = spec
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     preconditions: [.objectVersion(kind: .webhook, id: hook.id, index: version)],
                                                     events: [.webhookUpdated(hook)]))
            return Response(status: .ok)
        }
        router.post("/colmeia/v1/webhooks/{id}/rotate") { request, context in
            var hook = try await self.store().get(Webhook.self, context.objectReference())
            let version = hook.version.index
            hook.secret = WebhookSignature.newSecret()
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     preconditions: [.objectVersion(kind: .webhook, id: hook.id, index: version)],
                                                     events: [.webhookUpdated(hook)]))
            return try JSONResponse.encode(WebhookCredentials(hook))
        }
        router.delete("/colmeia/v1/webhooks/{id}") { request, context in
            let hook = try await self.store().get(Webhook.self, context.objectReference())
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     events: [.webhookRemoved(id: hook.id)]))
            return Response(status: .ok)
        }
    }

    /// Validates a webhook spec and stores its service by id (the API accepts a name).
    private func resolveTarget(_ spec: inout WebhookSpec) async throws {
        do throws(ValidationError) {
            try spec.validate()
        } catch {
            throw DockerAPIError.badRequest("invalid webhook: " + error.message)
        }
        if let reference = spec.service {
            let service = try await store().get(Service.self, reference)
            guard !service.spec.mode.isJob else {
                throw DockerAPIError.badRequest("service \(service.spec.name) is a job: webhooks deploy services, not jobs")
            }
            spec.service = service.id
        }
    }
}
