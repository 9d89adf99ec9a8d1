import Hummingbird

/// The request context of every API route: Hummingbird's basics with a body limit large
/// enough for a 500 KB secret in base64 plus headroom, so that an oversized secret gets
/// Docker's validation message rather than a transport error.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 16 << 20 }
}
