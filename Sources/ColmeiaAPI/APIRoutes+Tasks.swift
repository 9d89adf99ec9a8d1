import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addTaskRoutes(to router: Router<APIRequestContext>) {
        router.get("/tasks") { request, _ in
            var filters = try request.filters().values
            // `_up-to-date` (what `docker service create|update` polls while showing
            // progress): only tasks that run their service's current template.
            guard let upToDate = filters.removeValue(forKey: "_up-to-date"), upToDate.contains(where: { $0 == "true" || $0 == "1" }) else {
                filters["_up-to-date"] = nil
                return JSONResponse.array(of: try await self.readStore(request, kinds: [.task, .service, .node]).listAPIJSON(.task, filters: Filters(filters)))
            }
            let store = try await self.readStore(request, kinds: [.task, .service, .node])
            var templates: [String: TaskSpec] = [:]
            for service in try store.list(Service.self) { templates[service.id] = service.spec.taskTemplate }
            let tasks = try store.list(SwarmTask.self, filters: Filters(filters)).filter { task in
                templates[task.serviceID].map { task.spec == $0 } ?? false
            }
            return try JSONResponse.encode(tasks.map { $0.redactedForAPI() })
        }
        router.get("/tasks/{id}") { request, context in
            try JSONResponse.encode(try await self.readStore(request, kinds: [.task]).get(SwarmTask.self, context.objectReference()).redactedForAPI())
        }
    }
}
