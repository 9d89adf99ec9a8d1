import ColmeiaModel
import ColmeiaStore
import Foundation

extension ClusterView {
    /// Loads the objects the reconcilers read, as of the store's current state.
    public static func load(from store: ClusterStore) throws -> ClusterView {
        ClusterView(swarm: try store.list(Swarm.self).first, nodes: try store.list(Node.self),
                    services: try store.list(Service.self), tasks: try store.list(SwarmTask.self),
                    networks: try store.list(Network.self))
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
            if removed { removeNode(id: record.objectID) } else { upsert(try decoder.decode(Node.self, from: payload)) }
        case .service:
            if removed { removeService(id: record.objectID) } else { upsert(try decoder.decode(Service.self, from: payload)) }
        case .task:
            let before = tasks[record.objectID]?.nodeID ?? ""
            var touched: Set<String> = before.isEmpty ? [] : [before]
            if removed {
                removeTask(id: record.objectID)
            } else {
                let task = try decoder.decode(SwarmTask.self, from: payload)
                upsert(task)
                if !task.nodeID.isEmpty { touched.insert(task.nodeID) }
            }
            return touched
        case .network:
            if removed { removeNetwork(id: record.objectID) } else { upsert(try decoder.decode(Network.self, from: payload)) }
        case .secret, .config, .token, .request, .backup:
            break
        }
        return []
    }
}
