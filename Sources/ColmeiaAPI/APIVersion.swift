import ColmeiaCluster
import Hummingbird

/// The Engine API versions Colmeia answers, and the responder that accepts paths with and
/// without a `/v1.NN` prefix, as dockerd does.
public enum APIVersion {
    public static let minimum = "1.41"
    public static let current = "1.51"
    static let minimumMinor = 41
    static let currentMinor = 51

    /// Splits `/v1.45/services` into `("1.45", "/services")`; nil when there is no prefix.
    static func split(_ path: String) -> (version: String, rest: String)? {
        guard path.hasPrefix("/v") else { return nil }
        let afterV = path.dropFirst(2)
        let versionText = afterV.prefix { $0 != "/" }
        let parts = versionText.split(separator: ".")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
        let rest = afterV.dropFirst(versionText.count)
        return (String(versionText), rest.isEmpty ? "/" : String(rest))
    }
}

/// Strips the API version prefix before routing, refusing versions outside the range.
struct VersionedResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == APIRequestContext {
    let inner: Inner

    func respond(to request: Request, context: Inner.Context) async throws -> Response {
        guard let path = request.head.path, let (version, rest) = APIVersion.split(path) else {
            return try await inner.respond(to: request, context: context)
        }
        let minor = Int(version.split(separator: ".").last ?? "") ?? 0
        // Errors here are answered directly: they happen before the router's error handling.
        if version.hasPrefix("1."), minor > APIVersion.currentMinor {
            return try DockerAPIError(.badRequest,
                                      "client version \(version) is too new. Maximum supported API version is \(APIVersion.current)")
                .response(from: request, context: context)
        }
        if !version.hasPrefix("1.") || minor < APIVersion.minimumMinor {
            return try DockerAPIError(.badRequest,
                                      "client version \(version) is too old. Minimum supported API version is \(APIVersion.minimum), please upgrade your client to a newer version")
                .response(from: request, context: context)
        }
        var head = request.head
        head.path = rest
        return try await inner.respond(to: Request(head: head, body: request.body), context: context)
    }
}
