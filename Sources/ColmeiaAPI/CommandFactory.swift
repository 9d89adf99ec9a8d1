import ColmeiaModel
import Foundation
import HTTPTypes
import Hummingbird

/// Builds commands for API requests: the proposer (this daemon) chooses ids and times so
/// that apply stays deterministic on every manager.
enum CommandFactory {
    static func envelope(for request: Request) -> CommandEnvelope {
        let requestID = request.headers[HTTPField.Name("X-Request-Id")!] ?? UUID().uuidString
        return CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .user, id: "api"), requestID: requestID)
    }

    static func newID() -> String {
        var random = SystemRandomNumberGenerator()
        return ObjectID.generate(using: &random)
    }
}
