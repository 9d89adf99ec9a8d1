import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addNodeRoutes(to router: Router<APIRequestContext>) {
        router.get("/nodes") { request, _ in
            let nodes = try await self.readStore(request, kinds: [.node]).list(Node.self, filters: request.filters())
            // As of an earlier index, the manager status as it was recorded.
            if request.uri.queryParameters.get("at") != nil { return try JSONResponse.encode(nodes) }
            return try JSONResponse.encode(await self.manager.withLiveManagerStatus(nodes))
        }
        router.get("/nodes/{id}") { request, context in
            let node = try await self.readStore(request, kinds: [.node]).get(Node.self, context.objectReference())
            if request.uri.queryParameters.get("at") != nil { return try JSONResponse.encode(node) }
            return try JSONResponse.encode(await self.manager.withLiveManagerStatus([node])[0])
        }
        router.post("/nodes/{id}/update") { request, context in
            let store = try await self.store()
            var node = try store.get(Node.self, context.objectReference())
            let version = try request.version()
            let spec = try await JSONResponse.decode(NodeSpec.self, from: request, context: context)
            if spec.role != node.spec.role, context.identity.role != .admin {
                throw DockerAPIError(.forbidden, "permission denied: \(context.identity.description) may not change a node's role "
                    + "(node.promote/demote needs the admin role)")
            }
            if node.spec.role.rawValue == "manager" && spec.role.rawValue == "worker" {
                try await self.manager.checkDemotion(of: node, in: store)
            }
            node.spec = spec
            _ = try await self.submit(ClusterCommand(
                envelope: CommandFactory.envelope(for: request, context: context),
                preconditions: [.objectVersion(kind: .node, id: node.id, index: version)],
                events: [.nodeUpdated(node)]))
            return Response(status: .ok)
        }
        router.delete("/nodes/{id}") { request, context in
            let store = try await self.store()
            let node = try store.get(Node.self, context.objectReference())
            // SwarmKit's order: a manager (or a demoted one still in Raft) never; a live
            // worker only with --force.
            if node.spec.role.rawValue == "manager" || node.managerStatus != nil {
                throw DockerAPIError(.badRequest,
                                     "rpc error: code = FailedPrecondition desc = node \(node.id) is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal")
            }
            if node.status.state == .ready && !request.flag("force") {
                throw DockerAPIError(.badRequest,
                                     "rpc error: code = FailedPrecondition desc = node \(node.id) is not down and can't be removed")
            }
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     events: [.nodeRemoved(id: node.id)]))
            return Response(status: .ok)
        }
    }
}
