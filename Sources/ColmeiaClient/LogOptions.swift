/// The query of `GET /services/{id}/logs` and `GET /tasks/{id}/logs`.
public struct LogOptions: Sendable, Hashable {
    public var follow = false
    public var timestamps = false
    /// Lines from the end, or nil for all.
    public var tail: Int?
    public var since: String?
    /// Ask for the node, service and task of each line.
    public var details = true

    public init() {}

    var query: [(String, String)] {
        var query = [("stdout", "true"), ("stderr", "true")]
        if follow { query.append(("follow", "true")) }
        if timestamps { query.append(("timestamps", "true")) }
        if details { query.append(("details", "true")) }
        if let tail { query.append(("tail", String(tail))) }
        if let since { query.append(("since", since)) }
        return query
    }
}
