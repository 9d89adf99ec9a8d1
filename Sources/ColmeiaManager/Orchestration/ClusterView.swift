import ColmeiaModel

/// The leader's in-memory picture of what the reconcilers read: the cluster, its nodes,
/// services and tasks. Loaded once from the read models when a node becomes leader, then
/// kept current from the change feed, so a reconcile pass never queries SQLite.
public struct ClusterView: Sendable {
    public var swarm: Swarm?
    public private(set) var nodes: [String: Node] = [:]
    public private(set) var services: [String: Service] = [:]
    public private(set) var tasks: [String: SwarmTask] = [:]
    public private(set) var networks: [String: Network] = [:]
    /// Deploys still under way (``DeployTracker`` follows them to their outcome).
    public private(set) var deploys: [String: Deploy] = [:]
    /// Who wants to hear about what (their secrets are not in the view).
    public private(set) var subscriptions: [String: NotificationSubscription] = [:]
    /// Things that happened that subscriptions want to hear about, not yet queued as
    /// deliveries (a node went down, a service cannot be scheduled).
    public private(set) var notices: [PendingNotice] = []
    /// Keys of notices already raised by this view, so one condition is told once (the
    /// newest 10,000, oldest forgotten first).
    private var raisedNotices: Set<String> = []
    private var raisedOrder: [String] = []
    private var taskIDsByService: [String: Set<String>] = [:]
    private var taskIDsByNode: [String: Set<String>] = [:]

    public init(swarm: Swarm? = nil, nodes: [Node] = [], services: [Service] = [], tasks: [SwarmTask] = [],
                networks: [Network] = []) {
        self.swarm = swarm
        for network in networks { upsert(network) }
        for node in nodes { upsert(node) }
        for service in services { upsert(service) }
        for task in tasks { upsert(task) }
    }

    public mutating func upsert(_ deploy: Deploy) { deploys[deploy.id] = deploy.state.isFinal ? nil : deploy }
    public mutating func removeDeploy(id: String) { deploys[id] = nil }
    public mutating func upsert(_ subscription: NotificationSubscription) { subscriptions[subscription.id] = subscription }
    public mutating func removeSubscription(id: String) { subscriptions[id] = nil }

    /// Raises a notice once per key, when some subscription wants its event.
    public mutating func raise(_ notice: PendingNotice) {
        guard subscriptions.values.contains(where: { $0.spec.wants(notice.event) }),
              raisedNotices.insert(notice.key).inserted else { return }
        raisedOrder.append(notice.key)
        if raisedOrder.count > 10_000 {
            for key in raisedOrder.prefix(1_000) { raisedNotices.remove(key) }
            raisedOrder.removeFirst(1_000)
        }
        notices.append(notice)
        if notices.count > 1_000 { notices.removeFirst(notices.count - 1_000) }
    }

    /// A delivery named `SUBSCRIPTION/KEY` landed: its notice is queued.
    public mutating func noticeQueued(deliveryName: String) {
        guard let slash = deliveryName.firstIndex(of: "/") else { return }
        let key = deliveryName[deliveryName.index(after: slash)...]
        notices.removeAll { $0.key == key }
    }

    public mutating func upsert(_ network: Network) { networks[network.id] = network }
    public mutating func removeNetwork(id: String) { networks[id] = nil }
    public mutating func upsert(_ node: Node) { nodes[node.id] = node }
    public mutating func removeNode(id: String) { nodes[id] = nil }
    public mutating func upsert(_ service: Service) { services[service.id] = service }
    public mutating func removeService(id: String) { services[id] = nil }

    public mutating func upsert(_ task: SwarmTask) {
        if let old = tasks[task.id], old.nodeID != task.nodeID {
            taskIDsByNode[old.nodeID]?.remove(task.id)
        }
        tasks[task.id] = task
        taskIDsByService[task.serviceID, default: []].insert(task.id)
        if !task.nodeID.isEmpty { taskIDsByNode[task.nodeID, default: []].insert(task.id) }
    }

    public mutating func removeTask(id: String) {
        guard let task = tasks.removeValue(forKey: id) else { return }
        taskIDsByService[task.serviceID]?.remove(id)
        if taskIDsByService[task.serviceID]?.isEmpty == true { taskIDsByService[task.serviceID] = nil }
        taskIDsByNode[task.nodeID]?.remove(id)
        if taskIDsByNode[task.nodeID]?.isEmpty == true { taskIDsByNode[task.nodeID] = nil }
    }

    /// The tasks of one service, oldest first (ties broken by id, for determinism).
    public func tasks(ofService serviceID: String) -> [SwarmTask] {
        ordered(taskIDsByService[serviceID])
    }

    /// The tasks placed on one node.
    public func tasks(onNode nodeID: String) -> [SwarmTask] {
        ordered(taskIDsByNode[nodeID])
    }

    /// Sorts small keys, not whole tasks: moving tasks around dominated large passes.
    private func ordered(_ ids: Set<String>?) -> [SwarmTask] {
        guard let ids else { return [] }
        let keys = ids.compactMap { id in tasks[id].map { (created: $0.createdAt, id: id) } }
            .sorted { $0.created != $1.created ? $0.created < $1.created : $0.id < $1.id }
        return keys.compactMap { tasks[$0.id] }
    }

    /// Ids of services that still have tasks, including services already removed.
    public var serviceIDsWithTasks: [String] { taskIDsByService.keys.sorted() }

    /// Whether a task's node can no longer run it: the node is gone, down, or drained.
    public func nodeIsUnavailable(for task: SwarmTask) -> Bool {
        guard !task.nodeID.isEmpty else { return false }
        guard let node = nodes[task.nodeID] else { return true }
        return node.status.state == .down || node.spec.availability == .drain
    }

    /// The node is gone or down: whatever its tasks last reported is all we will hear.
    public func nodeIsLost(_ nodeID: String) -> Bool {
        guard let node = nodes[nodeID] else { return true }
        return node.status.state == .down
    }

    static func olderFirst(_ a: SwarmTask, _ b: SwarmTask) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id < b.id
    }
}
