import ColmeiaCluster
import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Hummingbird
import Prometheus

/// Every route of the Docker-compatible API, registered on one router.
public struct APIRoutes: Sendable {
    public let manager: ClusterManager
    public let access: APIAccess
    /// Refused webhook deliveries go to the audit trail through this (rate-limited).
    let hookRefusals: RefusalRecorder
    /// The one reader of the change feed that every `GET /events` follower shares.
    let eventFanOut = EventFanOut()
    /// Where the daemon's instruments are kept (`GET /metrics`), when it keeps them.
    public let metrics: PrometheusCollectorRegistry?

    public init(manager: ClusterManager, access: APIAccess = APIAccess(), metrics: PrometheusCollectorRegistry? = nil) {
        self.manager = manager
        self.access = access
        self.metrics = metrics
        hookRefusals = RefusalRecorder(totalPerSecond: 50) { await manager.localNode() }
    }

    /// The router, wrapped so that `/v1.NN/...` paths route like unprefixed ones.
    public func responder() -> some HTTPResponder<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(APIMetricsMiddleware(logger: manager.logger))
        router.middlewares.add(ErrorMiddleware())
        let manager = self.manager
        router.middlewares.add(AccessMiddleware(
            // Tokens are checked after a read barrier: a token revoked anywhere is refused by
            // every manager as soon as the revocation has been acknowledged.
            resolver: IdentityResolver(access: access) {
                if let store = try? await manager.readableStore() { return store }
                return await manager.localStore()
            },
            recorder: RefusalRecorder { await manager.localNode() }))
        router.middlewares.add(IdempotencyMiddleware())
        addSystemRoutes(to: router)
        addHealthRoutes(to: router)
        addMetricsRoutes(to: router)
        addSwarmRoutes(to: router)
        addNodeRoutes(to: router)
        addServiceRoutes(to: router)
        addTaskRoutes(to: router)
        addSecretRoutes(to: router)
        addConfigRoutes(to: router)
        addNetworkRoutes(to: router)
        addEventRoutes(to: router)
        addLogRoutes(to: router)
        addTokenRoutes(to: router)
        addMeshRoutes(to: router)
        addBackupRoutes(to: router)
        addAuditRoutes(to: router)
        addHistoryRoutes(to: router)
        addWebhookRoutes(to: router)
        addHookRoutes(to: router)
        addDeployRoutes(to: router)
        addNotificationRoutes(to: router)
        addDashboardRoutes(to: router)
        addTraceRoutes(to: router)
        return VersionedResponder(inner: router.buildResponder())
    }

    /// The router of a `--webhook-host` listener: the inbound webhook endpoint and nothing
    /// else, so the admin API never has to face the senders' network.
    public func webhookResponder() -> some HTTPResponder<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(ErrorMiddleware())
        addHookRoutes(to: router)
        return router.buildResponder()
    }

    /// Validates, proposes and waits for `command`; returns the Raft index it applied at,
    /// or the rejection in Docker's words and status.
    func submit(_ command: ClusterCommand) async throws -> UInt64 {
        let (node, _) = try await manager.active()
        let outcome: ApplyOutcome
        do {
            outcome = try await node.propose(command)
        } catch {
            throw DockerAPIError(error)
        }
        switch outcome {
        case .applied(let index), .alreadyApplied(let index): return index
        case .rejected(_, let reason): throw DockerAPIError.rejected(reason)
        }
    }

    /// The read models of the running manager, linearizable when there are peers.
    func store() async throws -> ClusterStore {
        try await manager.readableStore()
    }
}

/// Turns any error into Docker's `{"message": …}` with the right status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DockerAPIError {
            throw error
        } catch let error as HTTPError {
            if error.status == .notFound {
                throw DockerAPIError(.notFound, "page not found")
            }
            throw DockerAPIError(error.status, error.body ?? error.status.reasonPhrase)
        } catch {
            throw DockerAPIError(error)
        }
    }
}
