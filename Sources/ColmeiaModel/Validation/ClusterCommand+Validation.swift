extension ClusterCommand {
    /// Validates the specs the command's events carry (services, nodes, secrets, configs,
    /// networks, the cluster), so that nothing invalid reaches the log. Task events and
    /// removals carry no user spec and are not checked. Throws the first problem found.
    public func validate() throws(ValidationError) {
        for event in events {
            try event.validate()
        }
    }
}

extension ClusterEvent {
    /// Validates the spec this event carries, if any (see ``ClusterCommand/validate()``).
    public func validate() throws(ValidationError) {
        switch self {
        case .clusterCreated(let swarm), .clusterUpdated(let swarm):
            try swarm.spec.validate()
        case .nodeCreated(let node), .nodeUpdated(let node):
            try node.spec.validate()
        case .serviceCreated(let service), .serviceUpdated(let service):
            try service.spec.validate()
        case .secretCreated(let secret), .secretUpdated(let secret):
            try secret.spec.validate()
        case .configCreated(let config), .configUpdated(let config):
            try config.spec.validate()
        case .networkCreated(let network), .networkUpdated(let network):
            try network.validate()
        case .tokenCreated(let token):
            try NameRules.validateConfigOrSecretName(token.spec.name, field: "Spec.Name")
        case .webhookCreated(let hook), .webhookUpdated(let hook):
            try hook.spec.validate()
        case .subscriptionCreated(let subscription):
            try subscription.spec.validate()
        case .deployCreated, .deployUpdated, .deployRemoved, .deliveryCreated, .deliveryUpdated, .deliveryRemoved,
            .webhookRemoved, .subscriptionRemoved:
            break
        case .taskCreated, .taskUpdated, .taskStatusChanged, .taskAssigned, .taskDesiredStateChanged, .nodeRemoved, .serviceRemoved, .taskRemoved,
            .secretRemoved, .configRemoved, .networkRemoved, .tokenRemoved, .requestRefused, .backup:
            break
        }
    }
}
