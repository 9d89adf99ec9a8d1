import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Hummingbird

extension APIRoutes {
    func addNetworkRoutes(to router: Router<APIRequestContext>) {
        router.get("/networks") { request, _ in
            JSONResponse.array(of: try await self.readStore(request, kinds: [.network]).listJSON(.network, filters: request.filters()))
        }
        router.post("/networks/create") { request, context in
            let body = try await JSONResponse.decode(NetworkCreateRequest.self, from: request, context: context)
            do throws(ValidationError) { try body.validate() } catch { throw DockerAPIError(.badRequest, error.message) }
            let store = try await self.store()
            if (try? store.get(Network.self, body.name)) != nil, try store.list(Network.self).contains(where: { $0.name == body.name }) {
                throw DockerAPIError(.conflict, "network with name \(body.name) already exists")
            }
            let id = CommandFactory.newID(context)
            let envelope = CommandFactory.envelope(for: request, context: context)
            var network = Network(request: body, id: id, created: envelope.time)
            // A subnet from the swarm's pool (or the one asked for, if it overlaps none);
            // apply checks the overlap again against what has landed meanwhile.
            let swarm = try store.list(Swarm.self).first
            let existing = try store.list(Network.self)
            do throws(ValidationError) {
                network.ipam.config = try NetworkAllocator.subnet(
                    requested: network.ipam.config, pools: swarm?.defaultAddrPool ?? ["10.0.0.0/8"],
                    size: Int(swarm?.subnetSize ?? 24), existing: existing)
            } catch {
                throw DockerAPIError(.badRequest, error.message)
            }
            _ = try await self.submit(ClusterCommand(
                envelope: envelope,
                preconditions: [.nameAbsent(kind: .network, name: body.name)],
                events: [.networkCreated(network)]))
            return try JSONResponse.encode(["Id": id, "Warning": ""], status: .created)
        }
        router.get("/networks/{id}") { request, context in
            try JSONResponse.encode(try await self.readStore(request, kinds: [.network]).get(Network.self, context.objectReference()))
        }
        router.delete("/networks/{id}") { request, context in
            let store = try await self.store()
            let network = try store.get(Network.self, context.objectReference())
            let users = try store.list(Service.self).filter { service in
                (service.spec.taskTemplate.networks + service.spec.networks).contains {
                    $0.target == network.id || $0.target == network.name
                } || (network.ingress && !service.endpoint.ports.filter { $0.publishMode.rawValue == "ingress" }.isEmpty)
            }
            if let user = users.first {
                throw DockerAPIError(.forbidden,
                                     "rpc error: code = FailedPrecondition desc = network \(network.id) is in use by service \(user.id)")
            }
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     events: [.networkRemoved(id: network.id)]))
            return Response(status: .noContent)
        }
    }
}
