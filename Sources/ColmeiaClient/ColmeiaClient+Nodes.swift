import ColmeiaModel

extension ColmeiaClient {
    /// `GET /nodes` with Docker filters.
    public func nodes(filters: [String: [String]] = [:], at: String? = nil) async throws -> [Node] {
        try await decode([Node].self, "/nodes", query: Self.filtersQuery(filters) + Self.atQuery(at))
    }

    /// `GET /nodes/{id}`: by id, id prefix or hostname.
    public func node(_ reference: String) async throws -> Node {
        try await decode(Node.self, "/nodes/" + Self.segment(reference))
    }

    /// `POST /nodes/{id}/update?version=N`.
    public func updateNode(_ id: String, version: UInt64, spec: NodeSpec) async throws {
        try await data(.POST, "/nodes/" + Self.segment(id) + "/update", query: [("version", String(version))], body: Self.encode(spec))
    }

    /// `DELETE /nodes/{id}`.
    public func removeNode(_ reference: String, force: Bool = false) async throws {
        try await data(.DELETE, "/nodes/" + Self.segment(reference), query: force ? [("force", "true")] : [])
    }
}
