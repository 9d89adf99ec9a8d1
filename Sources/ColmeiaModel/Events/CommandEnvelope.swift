/// Who proposed a command, when and why: chosen by the proposer so that apply stays
/// deterministic.
public struct CommandEnvelope: Sendable, Hashable, Codable {
    /// Who caused a command. Nested so that modules importing ColmeiaModel keep Swift's
    /// `Actor` protocol.
    public struct Actor: Sendable, Hashable, Codable {
        /// The kind of principal.
        public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
            /// A client of the API (docker CLI, colmeia CLI, curl).
            case user
            /// A node's agent, e.g. reporting task status.
            case node
            /// An incoming webhook.
            case webhook
            /// A reconciler on the leader (orchestrator, scheduler, updater, …).
            case reconciler
        }

        public var kind: Kind
        /// The user name, node id, webhook id or reconciler name.
        public var id: String
        /// How the API knew who it was: `transport` (`unix`, `tcp`, `tls`), `uid`, `gid`,
        /// `pid`, `process`, `address`, `subject`, `node`, `role`, `token`, `userAgent`…
        public var details: [String: String]

        public init(kind: Kind, id: String, details: [String: String] = [:]) {
            self.kind = kind
            self.id = id
            self.details = details
        }

        enum CodingKeys: String, CodingKey {
            case kind, id, details
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kind = try container.decode(Kind.self, forKey: .kind)
            id = try container.decode(String.self, forKey: .id)
            details = try container.decodeIfPresent([String: String].self, forKey: .details) ?? [:]
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(id, forKey: .id)
            // Absent when empty: commands without details keep their bytes.
            if !details.isEmpty { try container.encode(details, forKey: .details) }
        }
    }

    /// Chosen by the proposer; unique per command (used to match a proposal to its result).
    public var id: String
    /// The proposer's clock when it made the command; apply uses it for `CreatedAt`/`UpdatedAt`.
    public var time: Timestamp
    public var actor: Actor
    /// The HTTP request that caused the command, if any.
    public var requestID: String?
    /// For a command whose `id` the client chose through an `Idempotency-Key`: a digest of
    /// the request it came with. A second command with that id and the same digest is a
    /// retry (apply answers with the first outcome); with another digest it is refused.
    public var requestDigest: String?

    public init(id: String, time: Timestamp, actor: Actor, requestID: String? = nil, requestDigest: String? = nil) {
        self.id = id
        self.time = time
        self.actor = actor
        self.requestID = requestID
        self.requestDigest = requestDigest
    }
}
