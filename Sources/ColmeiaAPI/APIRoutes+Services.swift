import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import Hummingbird

extension APIRoutes {
    func addServiceRoutes(to router: Router<APIRequestContext>) {
        router.get("/services") { request, _ in
            let store = try await self.readStore(request, kinds: request.flag("status") ? [.service, .task, .node] : [.service])
            guard request.flag("status") else {
                return JSONResponse.array(of: try store.listAPIJSON(.service, filters: request.filters()))
            }
            let services = try store.list(Service.self, filters: request.filters())
            return try JSONResponse.encode(try services.map { try Self.withStatus($0.redactedForAPI(), store: store) })
        }
        router.post("/services/create") { request, context in
            var spec = try await JSONResponse.decode(ServiceSpec.self, from: request, context: context)
            if spec.name.isEmpty { spec.name = NameGenerator.random() }
            try Self.validate(spec, maxReplicas: self.access.maxReplicas)
            // `--with-registry-auth`: the nodes pull with these credentials; never shown.
            if let auth = request.registryAuth { spec.taskTemplate.containerSpec?.pullOptions = .init(registryAuth: auth) }
            // As dockerd stores it: a replicated service without a count has one replica.
            spec.mode = spec.mode.normalized
            let id = CommandFactory.newID(context)
            try await Self.retryingAddressRaces {
                // A new command each attempt: apply answers a repeated command id with its
                // first outcome, which here is the address race being retried.
                let envelope = CommandFactory.envelope(for: request, context: context)
                let store = try await self.store()
                let networks = try store.list(Network.self)
                try ServiceEndpoints.resolveNetworks(of: &spec, in: networks)
                let endpoint = try ServiceEndpoints.allocate(for: spec, serviceID: id, existing: Self.publishing(spec, store),
                                                             networks: networks, addressesInUse: store.addressesInUse(on:))
                var service = Service(id: id, spec: spec, endpoint: endpoint)
                // A job starts at its first iteration.
                if spec.mode.isJob { service.jobStatus = JobStatus(jobIteration: Version(), lastExecution: .now()) }
                _ = try await self.submit(ClusterCommand(
                    envelope: envelope,
                    preconditions: [.nameAbsent(kind: .service, name: spec.name)],
                    events: [.serviceCreated(service)]))
            }
            return try JSONResponse.encode(ServiceCreateResponse(id: id, warnings: []), status: .created)
        }
        router.get("/services/{id}") { request, context in
            var service = try await self.readStore(request, kinds: [.service]).get(Service.self, context.objectReference())
            if request.flag("insertDefaults") {
                service.spec = service.spec.withDefaultsInserted()
                service.previousSpec = service.previousSpec?.withDefaultsInserted()
            }
            return try JSONResponse.encode(service.redactedForAPI())
        }
        router.post("/services/{id}/update") { request, context in
            let store = try await self.store()
            var service = try store.get(Service.self, context.objectReference())
            let version = try request.version()
            var spec = try await JSONResponse.decode(ServiceSpec.self, from: request, context: context)
            if request.uri.queryParameters.get("rollback") == "previous" {
                guard let previous = service.previousSpec else {
                    throw DockerAPIError(.badRequest, "service \(service.id) does not have a previous spec")
                }
                spec = previous
            }
            if spec.name.isEmpty { spec.name = service.spec.name }
            guard spec.name == service.spec.name else {
                throw DockerAPIError(.badRequest, "rpc error: code = Unimplemented desc = renaming services is not supported")
            }
            try Self.validate(spec, maxReplicas: self.access.maxReplicas)
            spec.mode = spec.mode.normalized
            spec.taskTemplate.containerSpec?.pullOptions = try Self.pullOptions(for: request, service: service)
            if let role = context.identity.role, role < .operator {
                try Self.checkDeployment(of: service, to: spec, by: context.identity)
            }
            let networks = try store.list(Network.self)
            try ServiceEndpoints.resolveNetworks(of: &spec, in: networks)
            service.endpoint = try ServiceEndpoints.allocate(for: spec, serviceID: service.id, existing: Self.publishing(spec, store),
                                                             networks: networks, addressesInUse: store.addressesInUse(on:),
                                                             previous: service.endpoint)
            if request.uri.queryParameters.get("rollback") == "previous" {
                service.updateStatus = UpdateStatus(state: .rollbackStarted, startedAt: .now(),
                                                    message: "manually requested rollback")
            } else {
                // A new spec starts a new update; the updater reports its progress.
                service.updateStatus = nil
            }
            service.previousSpec = service.spec
            service.spec = spec
            // Every update of a job runs it again (a new iteration), as in Docker.
            if spec.mode.isJob {
                let next = (service.jobStatus?.jobIteration.index ?? 0) + 1
                service.jobStatus = JobStatus(jobIteration: Version(index: next), lastExecution: .now())
            } else {
                service.jobStatus = nil
            }
            _ = try await self.submit(ClusterCommand(
                envelope: CommandFactory.envelope(for: request, context: context),
                preconditions: [.objectVersion(kind: .service, id: service.id, index: version)],
                events: [.serviceUpdated(service)]))
            return try JSONResponse.encode(ServiceUpdateResponse(warnings: []))
        }
        router.delete("/services/{id}") { request, context in
            let service = try await self.store().get(Service.self, context.objectReference())
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     events: [.serviceRemoved(id: service.id)]))
            return Response(status: .ok)
        }
        router.get("/services/{id}/logs") { request, context -> Response in
            let store = try await self.store()
            let service = try store.get(Service.self, context.objectReference())
            let tasks = try store.list(SwarmTask.self, filters: Filters(["service": [service.id]]))
            return try await self.logResponse(for: tasks, request: request)
        }
    }

    /// Runs `attempt` again (up to 3 times in all) when apply refused it because another
    /// command took the virtual IP it chose meanwhile: the next attempt reads the store anew.
    static func retryingAddressRaces(_ attempt: () async throws -> Void) async throws {
        var tries = 0
        while true {
            do {
                try await attempt()
                return
            } catch let error as DockerAPIError where tries < 2 && error.message.hasPrefix("address ") && error.message.contains("is already taken by") {
                tries += 1
            }
        }
    }

    /// The registry credentials of an update: the request's `X-Registry-Auth`, or those of
    /// the current spec (`registryAuthFrom=spec`, the default) or of the previous one.
    private static func pullOptions(for request: Request, service: Service) throws -> ContainerSpec.PullOptions? {
        if let auth = request.registryAuth { return .init(registryAuth: auth) }
        switch request.uri.queryParameters.get("registryAuthFrom") ?? "" {
        case "", "spec": return service.spec.taskTemplate.containerSpec?.pullOptions
        case "previous-spec": return service.previousSpec?.taskTemplate.containerSpec?.pullOptions
        case let other: throw DockerAPIError(.badRequest, "invalid registryAuthFrom '\(other)'")
        }
    }

    /// The services whose ports could collide with `spec`'s: none to read when it publishes none.
    private static func publishing(_ spec: ServiceSpec, _ store: ClusterStore) throws -> [Service] {
        guard let ports = spec.endpointSpec?.ports, !ports.isEmpty else { return [] }
        return try store.list(Service.self)
    }

    private static func validate(_ spec: ServiceSpec, maxReplicas: Int) throws {
        do {
            try spec.validate()
        } catch {
            throw DockerAPIError(.badRequest, error.message)
        }
        // A count the orchestrator would spend its memory on is refused before it is stored.
        let counts: [(String, Int64)] = switch spec.mode.kind {
        case .replicated(let replicas)?: [("replicas", replicas)]
        case .replicatedJob(let concurrent, let total)?: [("replicas (TotalCompletions)", total), ("max-concurrent", concurrent)]
        default: []
        }
        for (what, count) in counts where count > Int64(maxReplicas) {
            throw DockerAPIError(.badRequest,
                                 "invalid \(what) \(count): a service may have at most \(maxReplicas) (colmeiad --max-replicas)")
        }
    }

    /// A deployer may move a service within its scope to another image, replica count or
    /// environment (or force a redeploy, or roll back), and change nothing else.
    private static func checkDeployment(of service: Service, to spec: ServiceSpec, by identity: RequestIdentity) throws {
        if let scope = identity.scope, !scope.covers(serviceLabels: service.spec.labels) {
            throw DockerAPIError(.forbidden, "permission denied: \(identity.description) may not service.update on service "
                + "\(service.spec.name): it is outside the token's scope")
        }
        var allowed = service.spec
        if let container = spec.taskTemplate.containerSpec {
            allowed.taskTemplate.containerSpec?.image = container.image
            allowed.taskTemplate.containerSpec?.env = container.env
            allowed.taskTemplate.containerSpec?.pullOptions = container.pullOptions
        }
        allowed.taskTemplate.forceUpdate = spec.taskTemplate.forceUpdate
        if allowed.mode.replicated != nil, spec.mode.replicated != nil { allowed.mode = spec.mode }
        guard allowed == spec else {
            throw DockerAPIError(.forbidden, "permission denied: \(identity.description) may change only a service's image, "
                + "replicas and environment (service.update needs the operator role for anything else)")
        }
    }

    /// `?status=true`: running tasks and the tasks the mode asks for; for a job, only the
    /// tasks of its current iteration, and how many of them completed (dockerd's
    /// `ListServiceStatuses`).
    static func withStatus(_ service: Service, store: ClusterStore) throws -> Service {
        var service = service
        switch service.spec.mode.kind {
        case .replicatedJob(let maxConcurrent, _)?:
            let tasks = try currentJobTasks(of: service, store: store)
            service.serviceStatus = ServiceStatus(
                runningTasks: UInt64(tasks.filter { $0.status.state == .running }.count),
                desiredTasks: UInt64(max(0, maxConcurrent)),
                completedTasks: UInt64(tasks.filter { $0.status.state == .complete }.count))
        case .globalJob?:
            let tasks = try currentJobTasks(of: service, store: store)
            service.serviceStatus = ServiceStatus(
                runningTasks: UInt64(tasks.filter { $0.status.state == .running }.count),
                desiredTasks: UInt64(tasks.filter {
                    $0.desiredState == .running || ($0.status.state != .complete && $0.desiredState == .complete)
                }.count),
                completedTasks: UInt64(tasks.filter { $0.status.state == .complete }.count))
        default:
            let counts = try store.taskCounts(serviceID: service.id)
            var desired = UInt64(counts.desired)
            if case .replicated(let replicas)? = service.spec.mode.kind { desired = UInt64(max(0, replicas)) }
            service.serviceStatus = ServiceStatus(runningTasks: UInt64(counts.running), desiredTasks: desired)
        }
        return service
    }

    private static func currentJobTasks(of service: Service, store: ClusterStore) throws -> [SwarmTask] {
        let iteration = service.jobStatus?.jobIteration.index ?? 0
        return try store.list(SwarmTask.self, filters: Filters(["service": [service.id]]))
            .filter { ($0.jobIteration?.index ?? 0) == iteration }
    }
}

struct ServiceCreateResponse: Encodable {
    var id: String
    var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case warnings = "Warnings"
    }
}

struct ServiceUpdateResponse: Encodable {
    var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case warnings = "Warnings"
    }
}
