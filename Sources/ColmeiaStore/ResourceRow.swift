import ColmeiaModel
import Foundation
import GRDB

/// One row of the `resources` table: the object's Docker JSON plus the columns that
/// queries filter on.
struct ResourceRow {
    var kind: ObjectKind
    var id: String
    var name: String?
    var version: UInt64
    var createdAt: String
    var updatedAt: String
    var serviceID: String?
    var nodeID: String?
    var slot: Int?
    var desiredState: String?
    var currentState: String?
    var mode: String?
    var role: String?
    var availability: String?
    var labels: [String: String]
    var body: String

    /// Byte-identical output for equal objects, so two stores that applied the same log
    /// answer every query identically.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    init(_ object: some ClusterObject) throws {
        let kind = type(of: object).kind
        self.kind = kind
        id = object.objectID
        name = object.objectName.isEmpty ? nil : object.objectName
        version = object.objectVersion.index
        body = String(decoding: try Self.encoder().encode(object), as: UTF8.self)
        createdAt = object.objectCreatedAt.rfc3339
        updatedAt = object.objectUpdatedAt.rfc3339
        labels = [:]
        switch object {
        case let service as Service:
            labels = service.spec.labels
            mode = service.spec.mode.filterName
        case let task as SwarmTask:
            labels = task.labels
            serviceID = task.serviceID.isEmpty ? nil : task.serviceID
            nodeID = task.nodeID.isEmpty ? nil : task.nodeID
            slot = task.slot
            desiredState = task.desiredState.rawValue
            currentState = task.status.state.rawValue
        case let node as Node:
            labels = node.spec.labels
            role = node.spec.role.rawValue
            availability = node.spec.availability.rawValue
            currentState = node.status.state.rawValue
        case let secret as Secret:
            labels = secret.spec.labels
        case let config as Config:
            labels = config.spec.labels
        case let network as Network:
            labels = network.labels
        case let swarm as Swarm:
            labels = swarm.spec.labels
        case let hook as Webhook:
            labels = hook.spec.labels
            serviceID = hook.spec.service
        case let deploy as Deploy:
            serviceID = deploy.serviceID
            currentState = deploy.state.rawValue
        case let subscription as NotificationSubscription:
            labels = subscription.spec.labels
        case let delivery as NotificationDelivery:
            currentState = delivery.state.rawValue
        default:
            break
        }
    }

    /// Writes the row; its secret fields are sealed on the way in (`colmeia_seal`).
    func insert(_ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO resources (kind, id, name, version, created_at, updated_at, service_id, node_id, slot,
                                   desired_state, current_state, mode, role, availability, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, colmeia_seal(?, ?, ?))
            ON CONFLICT (kind, id) DO UPDATE SET
                name = excluded.name, version = excluded.version, updated_at = excluded.updated_at,
                service_id = excluded.service_id, node_id = excluded.node_id, slot = excluded.slot,
                desired_state = excluded.desired_state, current_state = excluded.current_state,
                mode = excluded.mode, role = excluded.role, availability = excluded.availability, body = excluded.body
            """).execute(arguments: [kind.rawValue, id, name, Int64(version), createdAt, updatedAt, serviceID, nodeID, slot,
                             desiredState, currentState, mode, role, availability, body, kind.rawValue, id])
        try db.cachedStatement(sql: "DELETE FROM resource_labels WHERE kind = ? AND id = ?").execute(arguments: [kind.rawValue, id])
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            try db.cachedStatement(sql: "INSERT INTO resource_labels (kind, id, key, value) VALUES (?, ?, ?, ?)").execute(arguments: [kind.rawValue, id, key, value])
        }
    }
}

extension ServiceMode {
    /// The value Docker's `mode` filter matches: `replicated`, `global`, `replicated-job`, `global-job`.
    var filterName: String? {
        switch kind {
        case .replicated: "replicated"
        case .global: "global"
        case .replicatedJob: "replicated-job"
        case .globalJob: "global-job"
        case nil: nil
        }
    }
}
