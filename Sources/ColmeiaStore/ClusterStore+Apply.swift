import ColmeiaModel
import Foundation
import GRDB

extension ClusterStore {
    /// Applies one committed command at Raft `index`: checks its preconditions, then lands
    /// every event — objects stamped with `Version.Index = index` and the command's time —
    /// plus one audit row per event, atomically with the applied index. A failed
    /// precondition or integrity rule (a name taken, an object missing) rejects the whole
    /// command, records the rejection, and still advances the index: the outcome is part of
    /// the deterministic log, not an error of this node.
    public func apply(_ command: ClusterCommand, index: UInt64, term: UInt64) throws(StoreError) -> ApplyOutcome {
        try apply([StoreEntry(index: index, term: term, content: .command(command))])[0]
    }

    /// Applies consecutive committed entries in one SQLite transaction (one commit for a
    /// whole Raft `Ready`); each command still lands all-or-nothing on its own.
    public func apply(_ entries: [StoreEntry]) throws(StoreError) -> [ApplyOutcome] {
        let outcomes = try write(indexes: entries.map { ($0.index, $0.term) }) { db, offset -> ApplyOutcome in
            let entry = entries[offset]
            switch entry.content {
            case .empty:
                return .applied(index: entry.index)
            case .undecodable(let reason):
                try db.cachedStatement(sql: """
                    INSERT INTO rejected_commands (raft_index, command_id, time, actor_kind, actor_id, reason)
                    VALUES (?, '', '', '', '', ?)
                    """).execute(arguments: [Int64(entry.index), reason])
                return .rejected(index: entry.index, reason: reason)
            case .command(let command):
                let outcome = try Self.applyOnce(command, index: entry.index, term: entry.term, db)
                if entry.index % Self.appliedCommandsPruneEvery == 0 {
                    try Self.pruneAppliedCommands(below: entry.index, db)
                }
                return outcome
            }
        }
        return zip(entries, outcomes).map { entry, outcome in outcome ?? .alreadyApplied(index: entry.index) }
    }

    /// How many log indexes a command id is remembered for. A copy sent again after a
    /// leader change commits within the proposal timeout (a few thousand entries at the
    /// highest write rates); a client's retry with an Idempotency-Key comes within minutes.
    static let appliedCommandsWindow: UInt64 = 100_000
    static let appliedCommandsPruneEvery: UInt64 = 1_024

    /// Applies `command` unless a command with its id was applied before: then the first
    /// outcome is the answer, and nothing changes (a copy that committed twice, or a
    /// client's retry). A reused Idempotency-Key with another request is refused.
    private static func applyOnce(_ command: ClusterCommand, index: UInt64, term: UInt64, _ db: Database) throws -> ApplyOutcome {
        let id = command.envelope.id
        if let earlier = try Row.fetchOne(db, sql: "SELECT raft_index, request_digest, rejection FROM applied_commands WHERE command_id = ?",
                                          arguments: [id]) {
            let digest: String? = earlier["request_digest"]
            guard digest == command.envelope.requestDigest else {
                let reason = "idempotency key reused: it was first used for a different request"
                try recordRejection(command, index: index, reason: reason, db)
                return .rejected(index: index, reason: reason)
            }
            let earlierIndex = UInt64(max(0, earlier["raft_index"] as Int64? ?? 0))
            if let rejection: String = earlier["rejection"] {
                return .rejected(index: earlierIndex, reason: rejection)
            }
            return .applied(index: earlierIndex)
        }
        let outcome = try apply(command, index: index, term: term, db)
        var rejection: String?
        if case .rejected(_, let reason) = outcome { rejection = reason }
        try db.cachedStatement(sql: "INSERT INTO applied_commands (command_id, raft_index, request_digest, rejection) VALUES (?, ?, ?, ?)")
            .execute(arguments: [id, Int64(index), command.envelope.requestDigest, rejection])
        return outcome
    }

    private static func pruneAppliedCommands(below index: UInt64, _ db: Database) throws {
        guard index > appliedCommandsWindow else { return }
        try db.execute(sql: "DELETE FROM applied_commands WHERE raft_index <= ?",
                       arguments: [Int64(index - appliedCommandsWindow)])
    }

    private static func apply(_ command: ClusterCommand, index: UInt64, term: UInt64, _ db: Database) throws -> ApplyOutcome {
        for precondition in command.preconditions {
            if let failure = try check(precondition, db) {
                try recordRejection(command, index: index, reason: failure, db)
                return .rejected(index: index, reason: failure)
            }
        }
        var rejection: String?
        try db.inSavepoint {
            do {
                for (ordinal, event) in command.events.enumerated() {
                    switch try apply(event, command: command, index: index, db) {
                    case .refused(let reason):
                        rejection = reason
                        return .rollback
                    case .landed(let landed):
                        try audit(event, landed, command: command, index: index, term: term, ordinal: ordinal, db)
                    case .ignored:
                        continue
                    }
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // The unique-name index refused: a deterministic outcome of this log.
                rejection = describeConstraint(error, command)
                return .rollback
            }
            return .commit
        }
        if let rejection {
            try recordRejection(command, index: index, reason: rejection, db)
            return .rejected(index: index, reason: rejection)
        }
        return .applied(index: index)
    }

    // MARK: Preconditions

    private static func check(_ precondition: Precondition, _ db: Database) throws -> String? {
        switch precondition {
        case .objectVersion(let kind, let id, let expected):
            let version = try Int64.fetchOne(db, sql: "SELECT version FROM resources WHERE kind = ? AND id = ?",
                                             arguments: [kind.rawValue, id])
            guard let version else { return "\(kind.rawValue) \(id) not found" }
            return UInt64(version) == expected ? nil : precondition.failureMessage
        case .objectAbsent(let kind, let id):
            return try exists(kind, id: id, db) ? precondition.failureMessage : nil
        case .objectExists(let kind, let id):
            return try exists(kind, id: id, db) ? nil : precondition.failureMessage
        case .nameAbsent(let kind, let name):
            let taken = try String.fetchOne(db, sql: "SELECT id FROM resources WHERE kind = ? AND name = ?",
                                            arguments: [kind.rawValue, name])
            return taken == nil ? nil : precondition.failureMessage
        }
    }

    private static func exists(_ kind: ObjectKind, id: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM resources WHERE kind = ? AND id = ?)",
                          arguments: [kind.rawValue, id]) ?? false
    }

    // MARK: Events

    /// Lands one event; returns a refusal instead when the event cannot apply.
    /// What one event did.
    private enum EventOutcome {
        /// It cannot apply; the whole command is rejected with this reason.
        case refused(String)
        /// It landed; what the audit row says of it.
        case landed(AuditLanding)

        static func landed(payload: String) -> EventOutcome { .landed(AuditLanding(payload: payload)) }
        /// Nothing to do (a status report for a task already gone).
        case ignored
    }

    private static func apply(_ event: ClusterEvent, command: ClusterCommand, index: UInt64, _ db: Database) throws -> EventOutcome {
        let time = command.envelope.time
        switch event {
        case .clusterCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .clusterUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .nodeCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .nodeUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .serviceCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .serviceUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .taskCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .taskUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .secretCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .secretUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .configCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .configUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .networkCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .networkUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .tokenCreated(let object):
            // Landed whole; the audit row keeps no hash of the secret.
            let outcome = try upsert(object, created: true, time: time, index: index, db)
            guard case .landed = outcome else { return outcome }
            var stored = object
            stored.version = Version(index: index)
            stored.createdAt = time
            stored.updatedAt = time
            return .landed(AuditLanding(payload: String(decoding: try ResourceRow.encoder().encode(stored.redactedForAPI()), as: UTF8.self),
                                        name: object.spec.name))
        case .requestRefused(let denial):
            return .landed(payload: String(decoding: try ResourceRow.encoder().encode(denial), as: UTF8.self))
        case .backup(let record):
            return .landed(payload: String(decoding: try ResourceRow.encoder().encode(record), as: UTF8.self))
        case .webhookCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .webhookUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .deployCreated(var object):
            // The service update in the same command lands at this index: the deploy names
            // the service version it produced.
            object.serviceVersion = index
            return try upsert(object, created: true, time: time, index: index, db)
        case .deployUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .subscriptionCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .deliveryCreated(let object): return try upsert(object, created: true, time: time, index: index, db)
        case .deliveryUpdated(let object): return try upsert(object, created: false, time: time, index: index, db)
        case .nodeRemoved, .serviceRemoved, .taskRemoved, .secretRemoved, .configRemoved, .networkRemoved, .tokenRemoved,
            .webhookRemoved, .deployRemoved, .subscriptionRemoved, .deliveryRemoved:
            try db.cachedStatement(sql: "DELETE FROM resources WHERE kind = ? AND id = ?").execute(arguments: [event.objectKind.rawValue, event.objectID])
            guard db.changesCount > 0 else { return .refused("\(event.objectKind.rawValue) \(event.objectID) not found") }
            try NetworkClaims.release(kind: event.objectKind, id: event.objectID, db)
            return .landed(payload: try jsonObject(id: event.objectID))
        case .taskStatusChanged(let taskID, let status):
            // Agents report on tasks the orchestrator may already have removed, and a late
            // report may trail a newer one: neither must sink the rest of its batch, and a
            // task's observed state only moves forward.
            guard let row = try taskColumns(taskID, db), status.state >= row.current else { return .ignored }
            // An ended task gives its network addresses back.
            if status.state > .running, row.current <= .running { try NetworkClaims.release(kind: .task, id: taskID, db) }
            var members: [(String, PatchValue)] = [("Status", .json(try encoded(status)))]
            // When the task began to run (a state it enters once): an update's failure
            // monitor measures from it, and the status that said so is soon overwritten.
            if status.state == .running, row.current < .running {
                members.append(("StartedRunningAt", .newJSON(try encoded(status.timestamp))))
            }
            return try patchTask(taskID, index: index, time: time, members,
                                 columns: ["current_state": status.state.rawValue], db)
        case .taskAssigned(let taskID, let nodeID, let status):
            guard let row = try taskColumns(taskID, db), row.current <= .pending, row.desired <= .complete,
                  row.node.isEmpty || row.node == nodeID else {
                return .ignored
            }
            return try patchTask(taskID, index: index, time: time, [
                ("Status", .json(try encoded(status))), ("NodeID", .text(nodeID)),
            ], columns: ["current_state": status.state.rawValue, "node_id": nodeID], db)
        case .taskDesiredStateChanged(let taskID, let desiredState):
            guard let row = try taskColumns(taskID, db), desiredState > row.desired else { return .ignored }
            return try patchTask(taskID, index: index, time: time, [
                ("DesiredState", .text(desiredState.rawValue)),
            ], columns: ["desired_state": desiredState.rawValue], db)
        }
    }

    /// A task's state columns, read without decoding its JSON.
    private static func taskColumns(_ id: String, _ db: Database) throws -> (current: TaskState, desired: TaskState, node: String)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT current_state, desired_state, node_id FROM resources WHERE kind = 'task' AND id = ?
            """, arguments: [id]) else { return nil }
        return (TaskState(rawValue: row["current_state"] ?? "") ?? .new, TaskState(rawValue: row["desired_state"] ?? "") ?? .new,
                row["node_id"] ?? "")
    }

    private enum PatchValue {
        case json(String)
        case text(String)
        /// JSON for a member the task does not have yet (its audit patch adds it).
        case newJSON(String)
    }

    /// Changes a few members of a task's stored JSON in place (SQLite's `json_set`), with
    /// its version and update time: the status reports and scheduling decisions that make
    /// up most of the log never decode or re-encode a whole task.
    private static func patchTask(_ id: String, index: UInt64, time: Timestamp, _ members: [(String, PatchValue)],
                                  columns: [String: String], _ db: Database) throws -> EventOutcome {
        var paths = ["'$.Version', json(?)", "'$.UpdatedAt', ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [#"{"Index":\#(index)}"#, time.rfc3339]
        // The audit row's JSON Patch comes from the members set, not from a diff of the
        // whole task (the same members, in sorted order, as a diff would give).
        var operations = [
            JSONPatch.Operation(op: .replace, path: "/UpdatedAt", value: .string(time.rfc3339)),
            JSONPatch.Operation(op: .replace, path: "/Version/Index", value: .number(.integer(Int64(index)))),
        ]
        for (member, value) in members {
            switch value {
            case .json(let text), .newJSON(let text):
                paths.append("'$.\(member)', json(?)")
                arguments.append(text)
                let op: JSONPatch.Operation.Kind = if case .newJSON = value { .add } else { .replace }
                operations.append(JSONPatch.Operation(op: op, path: "/" + member,
                                                      value: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))))
            case .text(let text):
                paths.append("'$.\(member)', ?")
                arguments.append(text)
                operations.append(JSONPatch.Operation(op: .replace, path: "/" + member, value: .string(text)))
            }
        }
        operations.sort { $0.path < $1.path }
        let assignments = columns.keys.sorted().map { "\($0) = ?" }
        arguments += columns.keys.sorted().map { columns[$0] }
        arguments += [Int64(index), time.rfc3339, id]
        // The row's name and service columns name the audit row too: no lookup of the task's
        // earlier audit rows on the log's busiest path.
        guard let row = try Row.fetchOne(db, sql: """
            UPDATE resources SET body = json_set(body, \(paths.joined(separator: ", "))),
                \(assignments.joined(separator: ", ")), version = ?, updated_at = ?
            WHERE kind = 'task' AND id = ? RETURNING \(Self.opened("body", kind: "kind", id: "id")) AS body, name, service_id
            """, arguments: StatementArguments(arguments)) else { return .ignored }
        let body: String = row["body"]
        return .landed(AuditLanding(payload: body, redacted: try redactedTask(body), patch: JSONPatch(operations),
                                    name: row["name"] ?? "", serviceID: row["service_id"] ?? ""))
    }

    private static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try ResourceRow.encoder().encode(value), as: UTF8.self)
    }

    /// Creates or replaces an object. `Version.Index` becomes the Raft index; the times come
    /// from the command, and an update keeps the original creation time.
    private static func upsert<Object: ClusterObject>(_ object: Object, created: Bool, time: Timestamp, index: UInt64,
                                                      _ db: Database) throws -> EventOutcome {
        var object = object
        object.objectVersion = Version(index: index)
        let existing = try String.fetchOne(db, sql: "SELECT created_at FROM resources WHERE kind = ? AND id = ?",
                                           arguments: [Object.kind.rawValue, object.objectID])
        if created {
            guard existing == nil else { return .refused("\(Object.kind.rawValue) \(object.objectID) already exists") }
        } else {
            guard existing != nil else { return .refused("\(Object.kind.rawValue) \(object.objectID) not found") }
        }
        object.objectCreatedAt = created ? time : (existing.flatMap(Timestamp.init(rfc3339:)) ?? object.objectCreatedAt)
        object.objectUpdatedAt = time
        // Ports and addresses are claimed before the object lands: a command that would
        // take one claimed by another object is refused whole, on every manager alike.
        if let refusal = try NetworkClaims.claim(object, created: created, db) { return .refused(refusal) }
        let row = try ResourceRow(object)
        if created, let task = object as? SwarmTask, let refusal = try slotRefusal(creating: task, body: row.body, db) {
            return .refused(refusal)
        }
        try row.insert(db)
        let name = object.objectName
        if let secret = object as? Secret {
            // The audit trail never holds secret data.
            return .landed(AuditLanding(payload: String(decoding: try ResourceRow.encoder().encode(secret.redactedForAPI()), as: UTF8.self),
                                  name: name))
        }
        if let hook = object as? Webhook {
            // Nor a webhook's or a subscription's signing secret.
            return .landed(AuditLanding(payload: String(decoding: try ResourceRow.encoder().encode(hook.redactedForAPI()), as: UTF8.self),
                                        name: name))
        }
        if let subscription = object as? NotificationSubscription {
            return .landed(AuditLanding(payload: String(decoding: try ResourceRow.encoder().encode(subscription.redactedForAPI()), as: UTF8.self),
                                        name: name))
        }
        if let deploy = object as? Deploy {
            return .landed(AuditLanding(payload: row.body, name: name, serviceID: deploy.serviceID))
        }
        if let swarm = object as? Swarm {
            // Nor the root CA's key or the unlock key; the join tokens are kept (sealed, for
            // reads as of an index) but readers see the copy without them.
            return .landed(AuditLanding(payload: String(decoding: try ResourceRow.encoder().encode(swarm.redactedForAPI()), as: UTF8.self),
                                        redacted: String(decoding: try ResourceRow.encoder().encode(swarm.redactedForAudit()), as: UTF8.self),
                                        name: name))
        }
        // A service's or task's registry credentials stay: the reconcilers' view is fed
        // from these rows and hands them to the nodes that pull; readers of the audit
        // trail get the redacted copy, which is what the chain covers.
        if let service = object as? Service {
            let redacted = service.spec.taskTemplate.containerSpec?.pullOptions == nil && service.previousSpec?.taskTemplate.containerSpec?.pullOptions == nil
                ? nil : String(decoding: try ResourceRow.encoder().encode(service.redactedForAPI()), as: UTF8.self)
            return .landed(AuditLanding(payload: row.body, redacted: redacted, name: name, serviceID: service.id))
        }
        if let task = object as? SwarmTask {
            let redacted = task.spec.containerSpec?.pullOptions == nil
                ? nil : String(decoding: try ResourceRow.encoder().encode(task.redactedForAPI()), as: UTF8.self)
            return .landed(AuditLanding(payload: row.body, redacted: redacted, name: name, serviceID: task.serviceID))
        }
        return .landed(AuditLanding(payload: row.body, name: name))
    }

    /// `{"ID":"…"}`, the audit payload of a removal.
    private static func jsonObject(id: String) throws -> String {
        String(decoding: try ResourceRow.encoder().encode(["ID": id]), as: UTF8.self)
    }

    static func load<Object: ClusterObject>(_ type: Object.Type, id: String, _ db: Database) throws -> Object? {
        guard let body = try String.fetchOne(db, sql: "SELECT \(opened("body", kind: "kind", id: "id")) FROM resources WHERE kind = ? AND id = ?",
                                             arguments: [Object.kind.rawValue, id]) else { return nil }
        return try JSONDecoder().decode(Object.self, from: Data(body.utf8))
    }

    // MARK: Audit

    /// A task row's JSON without registry credentials, when it has any (nil otherwise).
    private static func redactedTask(_ body: String) throws -> String? {
        guard body.contains("\"PullOptions\"") else { return nil }
        let task = try JSONDecoder().decode(SwarmTask.self, from: Data(body.utf8))
        return String(decoding: try ResourceRow.encoder().encode(task.redactedForAPI()), as: UTF8.self)
    }

    private static func recordRejection(_ command: ClusterCommand, index: UInt64, reason: String, _ db: Database) throws {
        let envelope = command.envelope
        try db.cachedStatement(sql: """
            INSERT INTO rejected_commands (raft_index, command_id, time, actor_kind, actor_id, reason)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [Int64(index), envelope.id, envelope.time.rfc3339, envelope.actor.kind.rawValue,
                             envelope.actor.id, reason])
    }

    private static func describeConstraint(_ error: DatabaseError, _ command: ClusterCommand) -> String {
        for event in command.events {
            if let object = event.object, !object.objectName.isEmpty, event.action != .removed {
                return "rpc error: code = AlreadyExists desc = name conflicts with an existing object: "
                    + "\(event.objectKind.rawValue) \(object.objectName) already exists"
            }
        }
        return "integrity rule refused the command: \(error.message ?? "\(error)")"
    }
}
