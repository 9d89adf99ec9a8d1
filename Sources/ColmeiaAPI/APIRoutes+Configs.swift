import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addConfigRoutes(to router: Router<APIRequestContext>) {
        router.get("/configs") { request, _ in
            JSONResponse.array(of: try await self.readStore(request, kinds: [.config]).listJSON(.config, filters: request.filters()))
        }
        router.post("/configs/create") { request, context in
            let spec = try await JSONResponse.decode(ConfigSpec.self, from: request, context: context, limit: JSONResponse.fileObjectBodyLimit)
            do throws(ValidationError) { try spec.validate() } catch { throw DockerAPIError(.badRequest, error.message) }
            let id = CommandFactory.newID(context)
            _ = try await self.submit(ClusterCommand(
                envelope: CommandFactory.envelope(for: request, context: context),
                preconditions: [.nameAbsent(kind: .config, name: spec.name)],
                events: [.configCreated(Config(id: id, spec: spec))]))
            return try JSONResponse.encode(["ID": id], status: .created)
        }
        router.get("/configs/{id}") { request, context in
            try JSONResponse.encode(try await self.readStore(request, kinds: [.config]).get(Config.self, context.objectReference()))
        }
        router.post("/configs/{id}/update") { request, context in
            let store = try await self.store()
            var config = try store.get(Config.self, context.objectReference())
            let version = try request.version()
            let spec = try await JSONResponse.decode(ConfigSpec.self, from: request, context: context, limit: JSONResponse.fileObjectBodyLimit)
            // As in Docker: only the labels of a config may change.
            guard spec.name == config.spec.name, spec.data == nil || spec.data == config.spec.data else {
                throw DockerAPIError(.badRequest, "rpc error: code = InvalidArgument desc = only updates to Labels are allowed")
            }
            config.spec.labels = spec.labels
            _ = try await self.submit(ClusterCommand(
                envelope: CommandFactory.envelope(for: request, context: context),
                preconditions: [.objectVersion(kind: .config, id: config.id, index: version)],
                events: [.configUpdated(config)]))
            return Response(status: .ok)
        }
        router.delete("/configs/{id}") { request, context in
            let store = try await self.store()
            let config = try store.get(Config.self, context.objectReference())
            let users = try store.list(Service.self).filter { service in
                (service.spec.taskTemplate.containerSpec?.configs ?? []).contains {
                    $0.configID == config.id || $0.configName == config.spec.name
                }
            }
            if !users.isEmpty {
                let names = users.map(\.spec.name).sorted()
                throw DockerAPIError(.badRequest,
                                     "rpc error: code = InvalidArgument desc = config '\(config.spec.name)' is in use by the following service\(names.count > 1 ? "s" : ""): \(names.joined(separator: ", "))")
            }
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     events: [.configRemoved(id: config.id)]))
            return Response(status: .noContent)
        }
    }
}
