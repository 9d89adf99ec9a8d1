import ColmeiaModel

extension ColmeiaClient {
    /// `GET /services`, with task counts when `status` is set.
    public func services(filters: [String: [String]] = [:], status: Bool = false) async throws -> [Service] {
        try await decode([Service].self, "/services", query: Self.filtersQuery(filters) + (status ? [("status", "true")] : []))
    }

    /// `GET /services/{id}`: by id, id prefix or name.
    public func service(_ reference: String, insertDefaults: Bool = false) async throws -> Service {
        try await decode(Service.self, "/services/" + Self.segment(reference),
                         query: insertDefaults ? [("insertDefaults", "true")] : [])
    }

    /// `POST /services/create`; returns the new service's id.
    public func createService(_ spec: ServiceSpec) async throws -> String {
        let answer = try await decode(JSONValue.self, "/services/create", method: .POST, body: Self.encode(spec))
        guard let id = answer["ID"]?.stringValue else { throw ColmeiaClientError.badResponse("no ID in the create answer") }
        return id
    }

    /// `POST /services/{id}/update?version=N` (`rollback=previous` for a rollback); returns
    /// the daemon's warnings.
    @discardableResult
    public func updateService(_ id: String, version: UInt64, spec: ServiceSpec, rollback: Bool = false) async throws -> [String] {
        var query = [("version", String(version))]
        if rollback { query.append(("rollback", "previous")) }
        let answer = try await decode(JSONValue.self, "/services/" + Self.segment(id) + "/update", method: .POST, query: query,
                                      body: Self.encode(spec))
        return answer["Warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// `DELETE /services/{id}`.
    public func removeService(_ reference: String) async throws {
        try await data(.DELETE, "/services/" + Self.segment(reference))
    }

    /// `GET /tasks` with Docker filters.
    public func tasks(filters: [String: [String]] = [:]) async throws -> [SwarmTask] {
        try await decode([SwarmTask].self, "/tasks", query: Self.filtersQuery(filters))
    }

    /// `GET /tasks/{id}`.
    public func task(_ reference: String) async throws -> SwarmTask {
        try await decode(SwarmTask.self, "/tasks/" + Self.segment(reference))
    }
}
