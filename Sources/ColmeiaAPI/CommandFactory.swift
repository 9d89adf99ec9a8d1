import ColmeiaCluster
import ColmeiaModel
import Foundation
import HTTPTypes
import Hummingbird

/// Builds commands for API requests: the proposer (this daemon) chooses ids and times so
/// that apply stays deterministic on every manager.
enum CommandFactory {
    /// The envelope of a command an API request causes: its actor is the identity the
    /// request proved, its request id the client's `X-Request-ID` (or a new one).
    static func envelope(for request: Request, context: APIRequestContext) -> CommandEnvelope {
        let requestID = context.requestID
            ?? HTTPField.Name("X-Request-Id").flatMap { request.headers[$0] }.map { String($0.prefix(200)) }
            ?? UUID().uuidString.lowercased()
        return CommandEnvelope(id: UUID().uuidString, time: .now(), actor: context.identity.actor, requestID: requestID)
    }

    static func newID() -> String {
        var random = SystemRandomNumberGenerator()
        return ObjectID.generate(using: &random)
    }
}
