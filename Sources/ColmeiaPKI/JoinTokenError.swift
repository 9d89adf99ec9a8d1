/// Why a join token was refused, in Docker's words.
public enum JoinTokenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not a `SWMTKN-…` token of a known version and length.
    case invalid
    /// The token is well formed but is not the cluster's current worker or manager token.
    case notAccepted

    public var description: String {
        switch self {
        case .invalid: "invalid join token"
        case .notAccepted: "A valid join token is necessary to join this cluster"
        }
    }
}
