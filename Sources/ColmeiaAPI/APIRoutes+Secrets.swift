import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addSecretRoutes(to router: Router<APIRequestContext>) {
        router.get("/secrets") { request, context in
            // Secret data never leaves the cluster through the API; a viewer sees names only.
            let secrets = try await self.readStore(request, kinds: [.secret]).list(Secret.self, filters: request.filters())
            return try JSONResponse.encode(secrets.map { Self.shown($0, to: context.identity) })
        }
        router.post("/secrets/create") { request, context in
            let spec = try await JSONResponse.decode(SecretSpec.self, from: request, context: context, limit: JSONResponse.fileObjectBodyLimit)
            do throws(ValidationError) { try spec.validate() } catch { throw DockerAPIError(.badRequest, error.message) }
            let id = CommandFactory.newID(context)
            _ = try await self.submit(ClusterCommand(
                envelope: CommandFactory.envelope(for: request, context: context),
                preconditions: [.nameAbsent(kind: .secret, name: spec.name)],
                events: [.secretCreated(Secret(id: id, spec: spec))]))
            return try JSONResponse.encode(["ID": id], status: .created)
        }
        router.get("/secrets/{id}") { request, context in
            try JSONResponse.encode(Self.shown(try await self.readStore(request, kinds: [.secret]).get(Secret.self, context.objectReference()), to: context.identity))
        }
        router.post("/secrets/{id}/update") { request, context in
            let store = try await self.store()
            var secret = try store.get(Secret.self, context.objectReference())
            let version = try request.version()
            let spec = try await JSONResponse.decode(SecretSpec.self, from: request, context: context, limit: JSONResponse.fileObjectBodyLimit)
            // As in Docker: only the labels of a secret may change.
            guard spec.name == secret.spec.name, spec.data == nil || spec.data == secret.spec.data else {
                throw DockerAPIError(.badRequest, "rpc error: code = InvalidArgument desc = only updates to Labels are allowed")
            }
            secret.spec.labels = spec.labels
            _ = try await self.submit(ClusterCommand(
                envelope: CommandFactory.envelope(for: request, context: context),
                preconditions: [.objectVersion(kind: .secret, id: secret.id, index: version)],
                events: [.secretUpdated(secret)]))
            return Response(status: .ok)
        }
        router.delete("/secrets/{id}") { request, context in
            let store = try await self.store()
            let secret = try store.get(Secret.self, context.objectReference())
            let users = try store.list(Service.self).filter { service in
                (service.spec.taskTemplate.containerSpec?.secrets ?? []).contains {
                    $0.secretID == secret.id || $0.secretName == secret.spec.name
                }
            }
            if !users.isEmpty {
                let names = users.map(\.spec.name).sorted()
                throw DockerAPIError(.badRequest,
                                     "rpc error: code = InvalidArgument desc = secret '\(secret.spec.name)' is in use by the following service\(names.count > 1 ? "s" : ""): \(names.joined(separator: ", "))")
            }
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     events: [.secretRemoved(id: secret.id)]))
            return Response(status: .noContent)
        }
    }

    /// A secret as `identity` may see it: without its data; to a viewer, only its id and name.
    static func shown(_ secret: Secret, to identity: RequestIdentity) -> Secret {
        let redacted = secret.redactedForAPI()
        guard let role = identity.role, role > .viewer else {
            return Secret(id: redacted.id, version: redacted.version, spec: SecretSpec(name: redacted.spec.name))
        }
        return redacted
    }
}
