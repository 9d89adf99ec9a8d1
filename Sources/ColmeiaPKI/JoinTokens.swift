/// A cluster's current worker and manager join tokens, and the role a presented token grants.
///
/// ```swift
/// var rng = SystemRandomNumberGenerator()
/// var tokens = JoinTokens.generate(rootCA: ca.digest, using: &rng)
/// let role = try tokens.role(presenting: request.token) // .worker, .manager, or throws
/// tokens.rotate(.worker, rootCA: ca.digest, using: &rng) // the old worker token stops working
/// ```
public struct JoinTokens: Sendable, Hashable {
    /// The token that admits workers.
    public var worker: JoinToken
    /// The token that admits managers.
    public var manager: JoinToken

    public init(worker: JoinToken, manager: JoinToken) {
        self.worker = worker
        self.manager = manager
    }

    /// Fresh worker and manager tokens for the root CA with digest `digest`.
    public static func generate(rootCA digest: [UInt8], using rng: inout some RandomNumberGenerator) -> JoinTokens {
        let worker = JoinToken.generate(rootCA: digest, using: &rng)
        let manager = JoinToken.generate(rootCA: digest, using: &rng)
        return JoinTokens(worker: worker, manager: manager)
    }

    /// The token that admits `role`.
    public func token(for role: NodeRole) -> JoinToken {
        switch role {
        case .manager: manager
        case .worker: worker
        }
    }

    /// Replaces the token for `role` with a fresh one (`docker swarm join-token --rotate`).
    public mutating func rotate(_ role: NodeRole, rootCA digest: [UInt8], using rng: inout some RandomNumberGenerator) {
        let fresh = JoinToken.generate(rootCA: digest, using: &rng)
        switch role {
        case .manager: manager = fresh
        case .worker: worker = fresh
        }
    }

    /// The role that the token text `presented` grants. Both tokens are always compared, each
    /// in constant time, so the time taken does not tell which part of which token matched.
    /// Throws `JoinTokenError.invalid` for a malformed token and `.notAccepted` ("A valid join
    /// token is necessary to join this cluster") for a well-formed one that is not current.
    public func role(presenting presented: String) throws(JoinTokenError) -> NodeRole {
        _ = try JoinToken(parsing: presented)
        let isManager = ConstantTime.equal(manager.description.utf8, presented.utf8)
        let isWorker = ConstantTime.equal(worker.description.utf8, presented.utf8)
        if isManager { return .manager }
        if isWorker { return .worker }
        throw .notAccepted
    }
}
