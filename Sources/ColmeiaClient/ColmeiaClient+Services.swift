import ColmeiaModel

extension ColmeiaClient {
    /// `GET /services`, with task counts when `status` is set; `at`: as of a log index or time.
    public func services(filters: [String: [String]] = [:], status: Bool = false, at: String? = nil) async throws -> [Service] {
        try await decode([Service].self, "/services", query: Self.filtersQuery(filters) + (status ? [("status", "true")] : []) + Self.atQuery(at))
    }

    /// `GET /services/{id}`: by id, id prefix or name; `at`: as of a log index or time.
    public func service(_ reference: String, insertDefaults: Bool = false, at: String? = nil) async throws -> Service {
        try await decode(Service.self, "/services/" + Self.segment(reference),
                         query: (insertDefaults ? [("insertDefaults", "true")] : []) + Self.atQuery(at))
    }

    /// `?at=`: a read as of a log index or a time.
    static func atQuery(_ at: String?) -> [(String, String)] {
        at.map { [("at", $0)] } ?? []
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
    public func tasks(filters: [String: [String]] = [:], at: String? = nil) async throws -> [SwarmTask] {
        try await decode([SwarmTask].self, "/tasks", query: Self.filtersQuery(filters) + Self.atQuery(at))
    }

    /// `GET /tasks/{id}`.
    public func task(_ reference: String) async throws -> SwarmTask {
        try await decode(SwarmTask.self, "/tasks/" + Self.segment(reference))
    }
}
