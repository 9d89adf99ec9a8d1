import ColmeiaCluster
import Hummingbird
import NIOCore
import Synchronization

/// The request context of every API route: Hummingbird's basics, the connection (for who
/// is at the other end), and the identity ``AccessMiddleware`` found for the request.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// Set by ``AccessMiddleware`` before any route runs.
    var identity = RequestIdentity(kind: .user, name: "anonymous", role: nil, details: [:])
    /// Set by ``RequestIDMiddleware``: the client's `X-Request-ID` or a new one.
    var requestID: String?
    /// Set by ``IdempotencyMiddleware`` for a write sent with an `Idempotency-Key`.
    var idempotency: Idempotency?
    /// Who the request turned out to be, for the request log written by the outermost
    /// middleware (contexts are values: inner middleware cannot hand it back otherwise).
    let actorSeen = ActorSeen()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The most any route reads; each route decodes within its own, smaller limit
    /// (``JSONResponse/decode(_:from:context:limit:)``).
    public var maxUploadSize: Int { 16 << 20 }
}

/// The actor ``AccessMiddleware`` found, shared with the middleware that logs the request.
final class ActorSeen: Sendable {
    private let value = Mutex<String?>(nil)

    func set(_ actor: String) { value.withLock { $0 = actor } }
    var actor: String? { value.withLock { $0 } }
}
