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
        let actor = context.identity.actor
        guard let idempotency = context.idempotency else {
            return CommandEnvelope(id: UUID().uuidString, time: .now(), actor: actor, requestID: requestID)
        }
        return CommandEnvelope(id: idempotency.nextCommandID(actor: "\(actor.kind.rawValue):\(actor.id)"), time: .now(), actor: actor,
                               requestID: requestID, requestDigest: idempotency.requestDigest)
    }

    /// A new object's id: random, or, for a request with an `Idempotency-Key`, derived from
    /// the key, so that a retry names the object the first try created.
    static func newID(_ context: APIRequestContext) -> String {
        if let idempotency = context.idempotency {
            let actor = context.identity.actor
            var seeded = KeyDerivedGenerator(seed: idempotency.nextObjectSeed(actor: "\(actor.kind.rawValue):\(actor.id)"))
            return ObjectID.generate(using: &seeded)
        }
        return randomID()
    }

    static func randomID() -> String {
        var random = SystemRandomNumberGenerator()
        return ObjectID.generate(using: &random)
    }

    /// Creates whose answer carries a new secret (shown once, stored only hashed or
    /// sealed) cannot answer a retry as the first try did: they refuse the key rather than
    /// create a second secret or hide the first.
    static func refuseIdempotencyKey(_ context: APIRequestContext, creating what: String) throws {
        guard context.idempotency != nil else { return }
        throw DockerAPIError.badRequest(
            "Idempotency-Key is not supported when creating \(what): the answer carries a new secret that only the first request may see")
    }
}
