import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addTaskRoutes(to router: Router<APIRequestContext>) {
        router.get("/tasks") { request, _ in
            JSONResponse.array(of: try await self.store().listJSON(.task, filters: request.filters()))
        }
        router.get("/tasks/{id}") { _, context in
            try JSONResponse.encode(try await self.store().get(SwarmTask.self, context.objectReference()))
        }
    }
}
