/// The mesh of one node as `GET /colmeia/v1/mesh` shows it: its published ports (bound or
/// why not), its data path, and per service what it forwarded where.
public struct MeshStatus: Sendable, Hashable, Codable {
    public struct Listener: Sendable, Hashable, Codable {
        public var `protocol`: String
        public var port: Int
        public var service: String
        /// `ingress` or `host`.
        public var mode: String
        public var listening: Bool
        /// Why the port is not bound (taken by something else on this node), if it is not.
        public var error: String
    }

    public struct Service: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        /// Its tasks that take connections, on any node.
        public var tasks: Int
        /// Connections this node took for it (published ports, service addresses).
        public var accepted: Int
        /// …sent to a task on this node.
        public var toLocalTask: Int
        /// …sent to a task on another node, over the data path.
        public var toOtherNode: Int
        /// Connections other nodes sent here for a task of this node.
        public var fromOtherNode: Int
        /// Connections no task could take (closed).
        public var failed: Int
        /// Open now.
        public var active: Int
    }

    public var node: String
    /// Where the data path listens (empty before the node has certificates).
    public var dataPath: String
    public var listeners: [Listener]
    public var services: [Service]
}
