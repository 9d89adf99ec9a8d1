import ColmeiaCluster
import ColmeiaMesh
import Hummingbird

extension APIRoutes {
    /// `GET /colmeia/v1/mesh`: this node's part of the routing mesh — its published ports
    /// (bound, or why not), its data path, and per service the connections it took and
    /// where it sent them (a task here, another node over the data path).
    func addMeshRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/mesh") { _, _ in
            guard let mesh = self.manager.mesh else {
                throw DockerAPIError(.notFound, "this node runs no routing mesh")
            }
            return try JSONResponse.encode(await mesh.status())
        }
    }
}
