import ColmeiaModel
import ColmeiaStore
import Foundation

extension ClusterView {
    /// Loads the objects the reconcilers read, as of the store's current state.
    public static func load(from store: ClusterStore) throws -> ClusterView {
        var view = ClusterView(swarm: try store.list(Swarm.self).first, nodes: try store.list(Node.self),
                               services: try store.list(Service.self), tasks: try store.list(SwarmTask.self),
                               networks: try store.list(Network.self))
        for subscription in try store.list(NotificationSubscription.self) { view.upsert(subscription.redactedForAPI()) }
        let active = Filters(["state": [Deploy.State.updating.rawValue, Deploy.State.rollingBack.rawValue]])
        for deploy in try store.list(Deploy.self, filters: active) { view.upsert(deploy) }
        return view
    }

    /// Applies one audit record of the change feed. Returns the nodes whose assigned tasks
    /// it changed (for the dispatcher).
    @discardableResult
    public mutating func apply(_ record: AuditRecord, decoder: JSONDecoder) throws -> Set<String> {
        let removed = record.type.hasSuffix(".removed")
        let payload = Data(record.payload.utf8)
        switch record.objectKind {
        case .cluster:
            if !removed { swarm = try decoder.decode(Swarm.self, from: payload) }
        case .node:
            if removed {
                removeNode(id: record.objectID)
            } else {
                let node = try decoder.decode(Node.self, from: payload)
                if node.status.state == .down, let before = nodes[node.id], before.status.state != .down {
                    raise(.nodeDown(node, index: record.index, time: record.time))
                }
                upsert(node)
            }
        case .service:
            if removed { removeService(id: record.objectID) } else { upsert(try decoder.decode(Service.self, from: payload)) }
        case .task:
            let before = tasks[record.objectID]?.nodeID ?? ""
            var touched: Set<String> = before.isEmpty ? [] : [before]
            if removed {
                removeTask(id: record.objectID)
            } else {
                let task = try decoder.decode(SwarmTask.self, from: payload)
                if task.status.state == .pending, task.status.err.hasPrefix("no suitable node"), let service = services[task.serviceID] {
                    raise(.unschedulable(service, message: task.status.err, time: record.time))
                }
                upsert(task)
                if !task.nodeID.isEmpty { touched.insert(task.nodeID) }
            }
            return touched
        case .network:
            if removed { removeNetwork(id: record.objectID) } else { upsert(try decoder.decode(Network.self, from: payload)) }
        case .deploy:
            if removed { removeDeploy(id: record.objectID) } else { upsert(try decoder.decode(Deploy.self, from: payload)) }
        case .subscription:
            if removed {
                removeSubscription(id: record.objectID)
            } else {
                upsert(try decoder.decode(NotificationSubscription.self, from: payload))
            }
        case .delivery:
            if record.type == "delivery.created" { noticeQueued(deliveryName: record.objectName) }
        case .secret, .config, .token, .request, .backup, .webhook:
            break
        }
        return []
    }
}
