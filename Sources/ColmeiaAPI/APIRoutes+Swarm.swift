import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addSwarmRoutes(to router: Router<APIRequestContext>) {
        router.get("/swarm") { _, _ in
            guard let swarm = try await self.store().list(Swarm.self).first else { throw DockerAPIError.notManager }
            return try JSONResponse.encode(swarm)
        }
        router.post("/swarm/init") { request, context in
            let body = try await JSONResponse.decode(SwarmInitRequest.self, from: request, context: context)
            do {
                return try JSONResponse.encode(try await self.manager.initialize(body))
            } catch {
                throw DockerAPIError(error)
            }
        }
        router.post("/swarm/leave") { request, _ in
            try await self.manager.leave(force: request.flag("force"))
            return Response(status: .ok)
        }
        router.post("/swarm/join") { _, _ -> Response in
            throw DockerAPIError(.notImplemented,
                                 "joining an existing swarm needs the cluster transport and CA (multi-manager issue); this node can only initialize a swarm")
        }
        router.get("/swarm/unlockkey") { _, _ in
            _ = try await self.manager.active()
            return try JSONResponse.encode(["UnlockKey": ""])
        }
    }
}
