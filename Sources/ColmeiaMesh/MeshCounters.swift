import Metrics
import Synchronization

/// What the mesh of this node has done, per service: connections it took (on a published
/// port or a service address), where it sent them (a task here, or another node over the
/// data path), those it received from other nodes, and those no task could take.
final class MeshCounters: Sendable {
    struct Service: Sendable, Hashable, Codable {
        var accepted = 0
        var toLocalTask = 0
        var toOtherNode = 0
        var fromOtherNode = 0
        var failed = 0
        var active = 0
    }

    private let services = Mutex<[String: Service]>([:])

    func count(_ serviceID: String, _ change: (inout Service) -> Void) {
        let (before, after, active) = services.withLock { services -> (Service, Service, Int?) in
            let before = services[serviceID] ?? Service()
            change(&services[serviceID, default: Service()])
            let after = services[serviceID] ?? Service()
            return (before, after, before.active == after.active ? nil : services.values.reduce(0) { $0 + $1.active })
        }
        MeshMetrics.record(from: before, to: after, active: active)
    }

    var snapshot: [String: Service] { services.withLock { $0 } }
}
