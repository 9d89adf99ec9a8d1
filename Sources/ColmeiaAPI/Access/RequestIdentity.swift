import ColmeiaCluster
import ColmeiaModel

/// Who sent an API request, as the connection and the request prove it, and what role that
/// gives. Every change the request causes carries it as the command's actor.
struct RequestIdentity: Sendable, Hashable {
    /// `user` for people and programs (certificates, tokens, the unix socket), `node` for
    /// a swarm node's certificate.
    var kind: CommandEnvelope.Actor.Kind
    /// A user name (`root`, `uid 1000`), a token's name, a certificate's subject, a node id,
    /// or `anonymous`.
    var name: String
    /// The role, nil for an identity with none (only `/_ping` and `/version` answer it).
    var role: AccessRole?
    /// A deployer token's reach; nil means every service.
    var scope: AccessTokenSpec?
    /// What proved it: transport, uid/gid/pid/process, address, subject, token id, …
    var details: [String: String]

    var actor: CommandEnvelope.Actor {
        CommandEnvelope.Actor(kind: kind, id: name, details: details.merging(role.map { ["role": $0.rawValue] } ?? [:]) { old, _ in old })
    }

    /// How the identity reads in a refusal: `token "ci" (viewer)`, `uid 1000`, …
    var description: String {
        let label: String
        if let token = details["token"] {
            label = "token \"\(name)\" (\(token))"
        } else if details["subject"] != nil {
            label = "certificate \(name)"
        } else {
            label = name
        }
        return label + (role.map { " with role \($0.rawValue)" } ?? " without a role")
    }
}
