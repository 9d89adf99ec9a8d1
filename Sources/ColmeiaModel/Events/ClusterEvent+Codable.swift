/// Log form of an event: `{"type": "service.created", "object": {…Docker JSON…}}`,
/// `{"type": "service.removed", "id": "…"}` or
/// `{"type": "task.status_changed", "id": "…", "status": {…}}`. Unknown members are ignored;
/// an unknown type is an error (an old build cannot apply a newer event).
extension ClusterEvent: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, object, id, status, node, desiredState = "desired_state", denial, backup
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        func object<T: Decodable>(_: T.Type) throws -> T { try container.decode(T.self, forKey: .object) }
        func id() throws -> String { try container.decode(String.self, forKey: .id) }
        switch type {
        case "cluster.created": self = .clusterCreated(try object(Swarm.self))
        case "cluster.updated": self = .clusterUpdated(try object(Swarm.self))
        case "node.created": self = .nodeCreated(try object(Node.self))
        case "node.updated": self = .nodeUpdated(try object(Node.self))
        case "node.removed": self = .nodeRemoved(id: try id())
        case "service.created": self = .serviceCreated(try object(Service.self))
        case "service.updated": self = .serviceUpdated(try object(Service.self))
        case "service.removed": self = .serviceRemoved(id: try id())
        case "task.created": self = .taskCreated(try object(SwarmTask.self))
        case "task.updated": self = .taskUpdated(try object(SwarmTask.self))
        case "task.removed": self = .taskRemoved(id: try id())
        case "task.status_changed":
            self = .taskStatusChanged(taskID: try id(), status: try container.decode(TaskStatus.self, forKey: .status))
        case "task.assigned":
            self = .taskAssigned(taskID: try id(), nodeID: try container.decode(String.self, forKey: .node),
                                 status: try container.decode(TaskStatus.self, forKey: .status))
        case "task.desired_state_changed":
            self = .taskDesiredStateChanged(taskID: try id(),
                                            desiredState: try container.decode(TaskState.self, forKey: .desiredState))
        case "secret.created": self = .secretCreated(try object(Secret.self))
        case "secret.updated": self = .secretUpdated(try object(Secret.self))
        case "secret.removed": self = .secretRemoved(id: try id())
        case "config.created": self = .configCreated(try object(Config.self))
        case "config.updated": self = .configUpdated(try object(Config.self))
        case "config.removed": self = .configRemoved(id: try id())
        case "network.created": self = .networkCreated(try object(Network.self))
        case "network.updated": self = .networkUpdated(try object(Network.self))
        case "network.removed": self = .networkRemoved(id: try id())
        case "token.created": self = .tokenCreated(try object(AccessToken.self))
        case "token.removed": self = .tokenRemoved(id: try id())
        case "webhook.created": self = .webhookCreated(try object(Webhook.self))
        case "webhook.updated": self = .webhookUpdated(try object(Webhook.self))
        case "webhook.removed": self = .webhookRemoved(id: try id())
        case "deploy.created": self = .deployCreated(try object(Deploy.self))
        case "deploy.updated": self = .deployUpdated(try object(Deploy.self))
        case "deploy.removed": self = .deployRemoved(id: try id())
        case "subscription.created": self = .subscriptionCreated(try object(NotificationSubscription.self))
        case "subscription.removed": self = .subscriptionRemoved(id: try id())
        case "delivery.created": self = .deliveryCreated(try object(NotificationDelivery.self))
        case "delivery.updated": self = .deliveryUpdated(try object(NotificationDelivery.self))
        case "delivery.removed": self = .deliveryRemoved(id: try id())
        case "request.refused": self = .requestRefused(try container.decode(AccessDenial.self, forKey: .denial))
        case "backup.written", "backup.failed": self = .backup(try container.decode(BackupRecord.self, forKey: .backup))
        default: throw CommandDecodingError.unknownEventType(type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .clusterCreated(let value), .clusterUpdated(let value): try container.encode(value, forKey: .object)
        case .nodeCreated(let value), .nodeUpdated(let value): try container.encode(value, forKey: .object)
        case .serviceCreated(let value), .serviceUpdated(let value): try container.encode(value, forKey: .object)
        case .taskCreated(let value), .taskUpdated(let value): try container.encode(value, forKey: .object)
        case .secretCreated(let value), .secretUpdated(let value): try container.encode(value, forKey: .object)
        case .configCreated(let value), .configUpdated(let value): try container.encode(value, forKey: .object)
        case .networkCreated(let value), .networkUpdated(let value): try container.encode(value, forKey: .object)
        case .tokenCreated(let value): try container.encode(value, forKey: .object)
        case .webhookCreated(let value), .webhookUpdated(let value): try container.encode(value, forKey: .object)
        case .deployCreated(let value), .deployUpdated(let value): try container.encode(value, forKey: .object)
        case .subscriptionCreated(let value): try container.encode(value, forKey: .object)
        case .deliveryCreated(let value), .deliveryUpdated(let value): try container.encode(value, forKey: .object)
        case .nodeRemoved(let id), .serviceRemoved(let id), .taskRemoved(let id), .secretRemoved(let id),
            .configRemoved(let id), .networkRemoved(let id), .tokenRemoved(let id), .webhookRemoved(let id),
            .deployRemoved(let id), .subscriptionRemoved(let id), .deliveryRemoved(let id):
            try container.encode(id, forKey: .id)
        case .requestRefused(let denial):
            try container.encode(denial, forKey: .denial)
        case .backup(let record):
            try container.encode(record, forKey: .backup)
        case .taskStatusChanged(let id, let status):
            try container.encode(id, forKey: .id)
            try container.encode(status, forKey: .status)
        case .taskAssigned(let id, let node, let status):
            try container.encode(id, forKey: .id)
            try container.encode(node, forKey: .node)
            try container.encode(status, forKey: .status)
        case .taskDesiredStateChanged(let id, let desiredState):
            try container.encode(id, forKey: .id)
            try container.encode(desiredState, forKey: .desiredState)
        }
    }
}
