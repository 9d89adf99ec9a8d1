import ColmeiaCluster
import Hummingbird
import NIOCore

/// The request context of every API route: Hummingbird's basics, the connection (for who
/// is at the other end), and the identity ``AccessMiddleware`` found for the request.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// Set by ``AccessMiddleware`` before any route runs.
    var identity = RequestIdentity(kind: .user, name: "anonymous", role: nil, details: [:])
    /// Set by ``RequestIDMiddleware``: the client's `X-Request-ID` or a new one.
    var requestID: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The most any route reads; each route decodes within its own, smaller limit
    /// (``JSONResponse/decode(_:from:context:limit:)``).
    public var maxUploadSize: Int { 16 << 20 }
}
