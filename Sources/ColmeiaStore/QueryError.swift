import ColmeiaModel

/// Why a read of the cluster state failed, in the words (and with the HTTP status) dockerd uses.
public enum QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidFilter(String)
    case invalidFilterSyntax(String)
    case notFound(kind: ObjectKind, reference: String)
    case ambiguous(kind: ObjectKind, reference: String, matches: Int)
    case database(String)
    /// A query parameter out of range (an index beyond the log, a time before the trail).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidFilter(let key): return "invalid filter '\(key)'"
        case .invalidFilterSyntax(let text): return "invalid filter: \(text)"
        case .notFound(let kind, let reference): return "\(kind.rawValue) \(reference) not found"
        case .ambiguous(let kind, let reference, let matches):
            return "\(kind.rawValue) \(reference) is ambiguous (\(matches) matches found)"
        case .database(let why): return "store database: \(why)"
        case .invalidArgument(let why): return why
        }
    }

    /// The HTTP status Docker answers with.
    public var httpStatus: Int {
        switch self {
        case .invalidFilter, .invalidFilterSyntax, .ambiguous, .invalidArgument: return 400
        case .notFound: return 404
        case .database: return 500
        }
    }
}
