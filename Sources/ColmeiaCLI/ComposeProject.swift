import ColmeiaModel
import Foundation

/// What a compose v3 file asks a stack deploy for, with names not yet prefixed by the stack.
public struct ComposeProject: Sendable {
    /// A top-level network.
    public struct NetworkDefinition: Sendable {
        public var key: String
        /// The name to create or find (`name:`), nil for `STACK_KEY`.
        public var name: String?
        public var external: Bool
        public var request: NetworkCreateRequest
    }

    /// A top-level secret or config: file data, or external.
    public struct FileObject: Sendable {
        public var key: String
        public var name: String?
        public var external: Bool
        public var data: Data?
        public var labels: [String: String]
    }

    /// A service: its spec plus the references resolved at deploy time.
    public struct ServiceDefinition: Sendable {
        public var key: String
        public var spec: ServiceSpec
        /// Network keys (top-level names) with their aliases.
        public var networks: [(key: String, aliases: [String])]
        /// Secret and config references whose `source` is a top-level key.
        public var secrets: [FileReferenceRequest]
        public var configs: [FileReferenceRequest]
    }

    public var services: [ServiceDefinition] = []
    public var networks: [NetworkDefinition] = []
    public var secrets: [FileObject] = []
    public var configs: [FileObject] = []
    /// Notes for the user (ignored options, unset variables).
    public var warnings: [String] = []
}
