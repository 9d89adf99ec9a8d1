import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addSwarmRoutes(to router: Router<APIRequestContext>) {
        router.get("/swarm") { _, context in
            guard let swarm = try await self.store().list(Swarm.self).first else { throw DockerAPIError.notManager }
            var shown = swarm.redactedForAPI()
            // Join tokens admit nodes: only an admin sees them.
            if context.identity.role != .admin { shown.joinTokens = JoinTokens(worker: "", manager: "") }
            return try JSONResponse.encode(shown)
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
        router.post("/swarm/join") { request, context -> Response in
            let body = try await JSONResponse.decode(SwarmJoinRequest.self, from: request, context: context)
            do {
                try await self.manager.join(body)
            } catch {
                throw DockerAPIError(error)
            }
            return Response(status: .ok)
        }
        router.post("/swarm/update") { request, context in
            let store = try await self.store()
            guard var swarm = try store.list(Swarm.self).first else { throw DockerAPIError.notManager }
            let version = try request.version()
            let spec = try await JSONResponse.decode(SwarmSpec.self, from: request, context: context)
            do throws(ValidationError) {
                try spec.validate()
            } catch {
                throw DockerAPIError(.badRequest, error.message)
            }
            swarm = try ClusterManager.applyingCAConfig(of: spec.withDockerDefaults(), to: swarm)
            if request.flag("rotateWorkerToken") { swarm.joinTokens.worker = ClusterPKI.joinToken(for: swarm.tlsInfo.trustRoot) }
            if request.flag("rotateManagerToken") { swarm.joinTokens.manager = ClusterPKI.joinToken(for: swarm.tlsInfo.trustRoot) }
            swarm = ClusterManager.withUnlockKey(swarm, rotate: request.flag("rotateManagerUnlockKey"))
            _ = try await self.submit(ClusterCommand(
                envelope: CommandFactory.envelope(for: request, context: context),
                preconditions: [.objectVersion(kind: .cluster, id: swarm.id, index: version)],
                events: [.clusterUpdated(swarm)]))
            return Response(status: .ok)
        }
        router.get("/swarm/unlockkey") { _, _ in
            try JSONResponse.encode(["UnlockKey": try await self.manager.currentUnlockKey()])
        }
        router.post("/swarm/unlock") { request, context -> Response in
            let body = try await JSONResponse.decode(SwarmUnlockRequest.self, from: request, context: context)
            try await self.manager.unlock(body.unlockKey)
            return Response(status: .ok)
        }
    }
}
