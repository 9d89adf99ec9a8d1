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
        services.withLock { change(&$0[serviceID, default: Service()]) }
    }

    var snapshot: [String: Service] { services.withLock { $0 } }
}
