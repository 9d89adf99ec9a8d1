import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addTaskRoutes(to router: Router<APIRequestContext>) {
        router.get("/tasks") { request, _ in
            try JSONResponse.encode(try await self.store().list(SwarmTask.self, filters: request.filters()))
        }
        router.get("/tasks/{id}") { _, context in
            try JSONResponse.encode(try await self.store().get(SwarmTask.self, context.objectReference()))
        }
    }
}
