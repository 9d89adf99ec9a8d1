import ColmeiaCluster
import ColmeiaModel
import Hummingbird

/// Decides, before any route runs, who sent the request and whether its role allows the
/// route: no identity or too small a role is a 403 naming the missing permission (recorded
/// in the audit trail); a bad token is a 401.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let resolver: IdentityResolver
    let recorder: RefusalRecorder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let permission = APIPermission.of(method: request.method, path: request.uri.path)
        var context = context
        do {
            context.identity = try await resolver.identity(of: request, channel: context.channel)
            context.actorSeen.set(context.identity.kind.rawValue + ":" + context.identity.name)
        } catch {
            if permission.role == nil { return try await next(request, context) }
            throw DockerAPIError(.unauthorized, error.reason)
        }
        if let needed = permission.role {
            guard let role = context.identity.role, role >= needed else {
                let reason = Self.refusal(context.identity, permission: permission.name, needs: needed)
                await recorder.record(context.identity, method: request.method.rawValue, path: request.uri.path,
                                      permission: permission.name, reason: reason)
                throw DockerAPIError(.forbidden, reason)
            }
        }
        return try await next(request, context)
    }

    /// `permission denied: token "ci" with role viewer may not service.update (it needs the deployer role)`
    static func refusal(_ identity: RequestIdentity, permission: String, needs role: AccessRole) -> String {
        if identity.role == nil && identity.details["transport"] != "unix" && identity.details["token"] == nil {
            return "permission denied: \(permission) needs the \(role.rawValue) role and this request proved no identity "
                + "(present a bearer token from `colmeia token create` or a client certificate)"
        }
        return "permission denied: \(identity.description) may not \(permission) (it needs the \(role.rawValue) role)"
    }
}
