import ColmeiaModel
import Foundation
import GRDB

extension ClusterStore {
    /// The filter names each list endpoint accepts (dockerd's lists).
    static func allowedFilters(for kind: ObjectKind) -> Set<String> {
        switch kind {
        case .service: ["id", "name", "label", "mode"]
        case .task: ["id", "name", "label", "service", "node", "desired-state"]
        case .node: ["id", "name", "label", "node.label", "role", "membership"]
        case .secret, .config: ["id", "name", "label"]
        case .network: ["id", "name", "label", "driver", "scope", "type"]
        case .token: ["id", "name"]
        case .webhook: ["id", "name", "label", "service"]
        case .deploy: ["id", "name", "service", "state"]
        case .subscription: ["id", "name", "label"]
        case .delivery: ["id", "name", "state"]
        case .cluster, .request, .backup: []
        }
    }

    /// Lists objects of a kind matching Docker's `filters`, ordered by id so that equal
    /// stores give identical answers.
    public func list<Object: ClusterObject>(_ type: Object.Type, filters: Filters = Filters()) throws(QueryError) -> [Object] {
        let bodies = try listJSON(Object.kind, filters: filters)
        do {
            let decoder = JSONDecoder()
            return try bodies.map { try decoder.decode(Object.self, from: Data($0.utf8)) }
        } catch {
            throw .database("stored \(Object.kind.rawValue) is unreadable: \(error)")
        }
    }

    /// The stored Docker JSON of the matching objects, without decoding them: what a list
    /// endpoint can send as is.
    public func listJSON(_ kind: ObjectKind, filters: Filters = Filters()) throws(QueryError) -> [String] {
        try filters.validate(allowed: Self.allowedFilters(for: kind))
        return try read { db in
            var clauses = ["r.kind = ?"]
            var arguments: [any DatabaseValueConvertible] = [kind.rawValue]
            for key in filters.values.keys.sorted() {
                let values = filters[key]
                guard !values.isEmpty else { continue }
                let (clause, clauseArguments) = try Self.clause(for: key, values: values, kind: kind, db)
                clauses.append(clause)
                arguments += clauseArguments
            }
            let sql = "SELECT \(Self.opened("r.body", kind: "r.kind", id: "r.id")) FROM resources r\(Self.indexHint(filters)) WHERE " + clauses.joined(separator: " AND ") + " ORDER BY r.id"
            return try String.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        }
    }

    /// What a list endpoint sends: the stored JSON without what the API never shows (the
    /// registry credentials a service or task carries for its nodes).
    public func listAPIJSON(_ kind: ObjectKind, filters: Filters = Filters()) throws(QueryError) -> [String] {
        let hidden: [String] = switch kind {
        case .service: ["$.Spec.TaskTemplate.ContainerSpec.PullOptions", "$.PreviousSpec.TaskTemplate.ContainerSpec.PullOptions"]
        case .task: ["$.Spec.ContainerSpec.PullOptions"]
        default: []
        }
        guard !hidden.isEmpty else { return try listJSON(kind, filters: filters) }
        try filters.validate(allowed: Self.allowedFilters(for: kind))
        return try read { db in
            var clauses = ["r.kind = ?"]
            var arguments: [any DatabaseValueConvertible] = [kind.rawValue]
            for key in filters.values.keys.sorted() {
                let values = filters[key]
                guard !values.isEmpty else { continue }
                let (clause, clauseArguments) = try Self.clause(for: key, values: values, kind: kind, db)
                clauses.append(clause)
                arguments += clauseArguments
            }
            // Only bodies that hold credentials are rewritten; the rest go out byte for byte.
            let paths = hidden.map { "'\($0)'" }.joined(separator: ", ")
            let sql = "SELECT CASE WHEN instr(r.body, '\"PullOptions\"') > 0 THEN json_remove(r.body, \(paths)) ELSE r.body END "
                + "FROM resources r\(Self.indexHint(filters)) WHERE " + clauses.joined(separator: " AND ") + " ORDER BY r.id"
            return try String.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        }
    }

    /// The index a filtered list reads: a service's or a node's own rows, sorted after.
    /// (Without statistics SQLite prefers the primary key, which is sorted by id already,
    /// and walks every task of the swarm to list one service's.)
    static func indexHint(_ filters: Filters) -> String {
        if !filters["service"].isEmpty { return " INDEXED BY resources_by_service" }
        if !filters["node"].isEmpty { return " INDEXED BY resources_by_node" }
        return ""
    }

    /// Finds one object by full id, exact name, or unique id prefix — dockerd's lookup
    /// order — with its errors: not found, or ambiguous when a prefix matches several.
    public func get<Object: ClusterObject>(_ type: Object.Type, _ reference: String) throws(QueryError) -> Object {
        let kind = Object.kind
        let body: String? = try read { db in
            if let body = try String.fetchOne(db, sql: "SELECT \(Self.opened("body", kind: "kind", id: "id")) FROM resources WHERE kind = ? AND id = ?",
                                              arguments: [kind.rawValue, reference]) {
                return body
            }
            let named = try String.fetchAll(db, sql: "SELECT \(Self.opened("body", kind: "kind", id: "id")) FROM resources WHERE kind = ? AND name = ? LIMIT 2",
                                            arguments: [kind.rawValue, reference])
            if named.count == 1 { return named[0] }
            if named.count > 1 { throw QueryError.ambiguous(kind: kind, reference: reference, matches: named.count) }
            guard !reference.isEmpty else { return nil }
            let prefixed = try String.fetchAll(
                db, sql: "SELECT \(Self.opened("body", kind: "kind", id: "id")) FROM resources WHERE kind = ? AND id LIKE ? ESCAPE '\\' LIMIT 10",
                arguments: [kind.rawValue, Self.likePrefix(reference)])
            if prefixed.count > 1 { throw QueryError.ambiguous(kind: kind, reference: reference, matches: prefixed.count) }
            return prefixed.first
        }
        guard let body else { throw .notFound(kind: kind, reference: reference) }
        do {
            return try JSONDecoder().decode(Object.self, from: Data(body.utf8))
        } catch {
            throw .database("stored \(kind.rawValue) \(reference) is unreadable: \(error)")
        }
    }

    /// Counts tasks of a service by state, for `GET /services?status=true`. As Docker, a
    /// task last seen running on a node that is now down does not count as running (its
    /// replacement does, once it runs).
    /// (The index hints keep SQLite on the service's own tasks: without statistics it
    /// prefers the primary key, whose first column is the kind, and walks every task.)
    public func taskCounts(serviceID: String) throws(QueryError) -> (running: Int, desired: Int) {
        try read { db in
            let running = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM resources AS task INDEXED BY resources_by_service
                WHERE task.kind = 'task' AND task.service_id = ? AND task.current_state = 'running'
                  AND NOT EXISTS (SELECT 1 FROM resources AS node
                                  WHERE node.kind = 'node' AND node.id = task.node_id AND node.current_state = 'down')
                """, arguments: [serviceID]) ?? 0
            let desired = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM resources INDEXED BY resources_by_service
                WHERE kind = 'task' AND service_id = ? AND desired_state = 'running'
                """, arguments: [serviceID]) ?? 0
            return (running, desired)
        }
    }

    /// How many tasks of a service are in each observed state, without decoding any.
    public func taskStates(serviceID: String) throws(QueryError) -> [TaskState: Int] {
        try read { db in
            var counts: [TaskState: Int] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT current_state, COUNT(*) AS n FROM resources INDEXED BY resources_by_service
                WHERE kind = 'task' AND service_id = ? GROUP BY current_state
                """, arguments: [serviceID])
            for row in rows {
                if let state = TaskState(rawValue: row["current_state"] ?? "") { counts[state] = row["n"] }
            }
            return counts
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(QueryError) -> T {
        do {
            return try pool.read(body)
        } catch let error as QueryError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    static func likePrefix(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// SQL for one filter name; its values are alternatives.
    private static func clause(for key: String, values: [String], kind: ObjectKind, _ db: Database) throws
        -> (String, [any DatabaseValueConvertible])
    {
        switch key {
        case "id":
            return ("(" + values.map { _ in "r.id LIKE ? ESCAPE '\\'" }.joined(separator: " OR ") + ")",
                    values.map(likePrefix))
        case "name":
            return ("(" + values.map { _ in "r.name LIKE ? ESCAPE '\\'" }.joined(separator: " OR ") + ")",
                    values.map(likePrefix))
        case "label", "node.label":
            if kind == .node && key == "label" {
                // On nodes, `label` means the engine's labels (dockerd's semantics).
                return labelClause(values) { path in "json_extract(r.body, '$.Description.Engine.Labels.\"' || \(path) || '\"')" }
            }
            return labelClause(values, jsonPath: nil)
        case "mode":
            return ("r.mode IN (\(placeholders(values.count)))", values)
        case "role":
            return ("r.role IN (\(placeholders(values.count)))", values)
        case "membership":
            // Every node admitted through a join token is accepted.
            return (values.contains("accepted") ? "1" : "0", [])
        case "state":
            return ("r.current_state IN (\(placeholders(values.count)))", values)
        case "desired-state":
            return ("r.desired_state IN (\(placeholders(values.count)))", values)
        case "service":
            return referenceClause(column: "r.service_id", referenced: .service, values)
        case "node":
            return referenceClause(column: "r.node_id", referenced: .node, values)
        case "driver":
            return ("json_extract(r.body, '$.Driver') IN (\(placeholders(values.count)))", values)
        case "scope":
            return ("json_extract(r.body, '$.Scope') IN (\(placeholders(values.count)))", values)
        case "type":
            let builtin = values.contains("builtin")
            let custom = values.contains("custom")
            if builtin && custom { return ("1", []) }
            return (builtin ? "json_extract(r.body, '$.Ingress') = 1" : "coalesce(json_extract(r.body, '$.Ingress'), 0) = 0", [])
        default:
            throw QueryError.invalidFilter(key)
        }
    }

    private static func labelClause(_ values: [String], jsonPath: ((String) -> String)?) -> (String, [any DatabaseValueConvertible]) {
        var parts: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        for value in values {
            let pair = value.split(separator: "=", maxSplits: 1).map(String.init)
            if let jsonPath {
                if pair.count == 2 {
                    parts.append("\(jsonPath("?")) = ?")
                    arguments += [pair[0], pair[1]]
                } else {
                    parts.append("\(jsonPath("?")) IS NOT NULL")
                    arguments.append(pair[0])
                }
            } else if pair.count == 2 {
                parts.append("EXISTS (SELECT 1 FROM resource_labels l WHERE l.kind = r.kind AND l.id = r.id AND l.key = ? AND l.value = ?)")
                arguments += [pair[0], pair[1]]
            } else {
                parts.append("EXISTS (SELECT 1 FROM resource_labels l WHERE l.kind = r.kind AND l.id = r.id AND l.key = ?)")
                arguments.append(pair[0])
            }
        }
        // Docker requires every label filter to hold.
        return ("(" + parts.joined(separator: " AND ") + ")", arguments)
    }

    private static func labelClause(_ values: [String], jsonPath: @escaping (String) -> String) -> (String, [any DatabaseValueConvertible]) {
        labelClause(values, jsonPath: Optional(jsonPath))
    }

    /// `service=web` or `node=worker-1` match by id, id prefix or name of the referenced object.
    private static func referenceClause(column: String, referenced: ObjectKind, _ values: [String]) -> (String, [any DatabaseValueConvertible]) {
        let match = "SELECT x.id FROM resources x WHERE x.kind = ? AND (x.id = ? OR x.name = ? OR x.id LIKE ? ESCAPE '\\')"
        let parts = values.map { _ in "\(column) IN (\(match))" }
        var arguments: [any DatabaseValueConvertible] = []
        for value in values { arguments += [referenced.rawValue, value, value, likePrefix(value)] }
        return ("(" + parts.joined(separator: " OR ") + ")", arguments)
    }
}

extension ClusterStore {
    /// How many objects of a kind the store holds, without reading them.
    public func count(_ kind: ObjectKind) throws(QueryError) -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM resources WHERE kind = ?", arguments: [kind.rawValue]) ?? 0
        }
    }
}
