import Synchronization

/// The managers' cluster addresses a worker knows, shared with its dispatcher connection:
/// the list learnt from each role answer is the one the next reconnection tries (a worker
/// that joined while the swarm had one manager must find the others when that one stops).
final class ManagerAddressList: Sendable {
    private let addresses = Mutex<[String]>([])

    var current: [String] {
        get { addresses.withLock { $0 } }
        set { addresses.withLock { $0 = newValue } }
    }
}
