/// A request the API refused for lack of permission, recorded in the audit trail with the
/// identity that made it (the command's actor).
public struct AccessDenial: Sendable, Hashable, Codable {
    /// `GET`, `POST`, …
    public var method: String
    public var path: String
    /// The permission that was missing, e.g. `service.update`.
    public var permission: String
    /// What the refusal said.
    public var reason: String
    /// How many more refusals of the same identity were folded into this one (the trail
    /// records at most a few per second per identity).
    public var suppressed: Int

    public init(method: String, path: String, permission: String, reason: String, suppressed: Int = 0) {
        self.method = method
        self.path = path
        self.permission = permission
        self.reason = reason
        self.suppressed = suppressed
    }

    enum CodingKeys: String, CodingKey {
        case method = "Method"
        case path = "Path"
        case permission = "Permission"
        case reason = "Reason"
        case suppressed = "Suppressed"
    }
}
