import ColmeiaCluster
import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request an id — the client's `X-Request-ID` (up to 200 characters), or a
/// new one — that the commands it causes carry into the audit trail, and echoes it in the
/// response, errors included, so a client can find its change in the trail.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let sent = request.headers[Self.header].map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
        let id = sent ?? UUID().uuidString.lowercased()
        context.requestID = id
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[Self.header] = id
        return response
    }
}
