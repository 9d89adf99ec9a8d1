import Synchronization

/// Where this node's tasks take connections, as their executors report them: a process
/// task's ports on loopback, a container's address on its bridge. The mesh reads it on
/// every connection; executors write it when a task starts and when it goes.
public final class LocalEndpoints: Sendable {
    /// One task's endpoint: the host to connect to and, for each target port of the
    /// service, the port there.
    public struct Endpoint: Sendable, Hashable {
        public var host: String
        public var ports: [UInt32: Int]
        /// The networks the task joins: what it may resolve and reach.
        public var networks: Set<String>

        public init(host: String, ports: [UInt32: Int], networks: Set<String> = []) {
            self.host = host
            self.ports = ports
            self.networks = networks
        }
    }

    private struct State {
        var byTask: [String: Endpoint] = [:]
        /// Container addresses → task, for the name resolver and the service addresses.
        var bySource: [String: String] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The task takes connections at `endpoint`; `sources` are the addresses its own
    /// connections come from (a container's), if it has its own.
    public func set(taskID: String, endpoint: Endpoint, sources: [String] = []) {
        state.withLock { state in
            state.byTask[taskID] = endpoint
            for source in sources { state.bySource[source] = taskID }
        }
    }

    /// The task is gone (or no longer takes connections).
    public func remove(taskID: String) {
        state.withLock { state in
            state.byTask[taskID] = nil
            state.bySource = state.bySource.filter { $0.value != taskID }
        }
    }

    /// Where to connect for `target` of the task, if it runs here and has that port.
    public func address(taskID: String, target: UInt32) -> (host: String, port: Int)? {
        state.withLock { state in
            guard let endpoint = state.byTask[taskID] else { return nil }
            // A container takes every port at its own address, published or not.
            let port = endpoint.ports[target] ?? (endpoint.ports.isEmpty ? Int(target) : nil)
            return port.map { (endpoint.host, $0) }
        }
    }

    /// The local task whose connections come from `address`.
    public func task(atSource address: String) -> String? {
        state.withLock { $0.bySource[address] }
    }

    /// The networks of the local task whose connections come from `address`; nil for a
    /// stranger.
    func networks(atSource address: String) -> Set<String>? {
        state.withLock { state in state.bySource[address].flatMap { state.byTask[$0]?.networks } }
    }

    public var taskIDs: Set<String> {
        state.withLock { Set($0.byTask.keys) }
    }
}
