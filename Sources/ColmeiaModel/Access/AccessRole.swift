/// What an identity may do through the API, each role including the ones before it:
/// `viewer` reads (secrets by name only); `deployer` also moves services within its scope
/// to a new image, replica count or environment, and rolls them back; `operator` also
/// manages services, secrets, configs, networks and node availability; `admin` also the
/// swarm itself, node roles, tokens, the unlock key and backups.
public enum AccessRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case viewer
    case deployer
    case `operator`
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .deployer: 1
        case .operator: 2
        case .admin: 3
        }
    }

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool { lhs.rank < rhs.rank }
}
