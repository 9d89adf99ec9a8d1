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

    /// A top-level named volume: created on each node by the engine when a task mounts it,
    /// with the stack's label and the driver given here.
    public struct VolumeDefinition: Sendable {
        public var key: String
        /// The volume's name (`name:`, or an external one's), nil for `STACK_KEY`.
        public var name: String?
        public var external: Bool
        public var driver: String?
        public var driverOptions: [String: String]
        public var labels: [String: String]
    }

    /// A mount of a service; a named volume's source is the top-level key in `volumeKey`,
    /// resolved to its name when the stack is deployed.
    public struct MountUse: Sendable {
        public var mount: Mount
        public var volumeKey: String?
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
        /// Mounts, named volumes still by key.
        public var mounts: [MountUse]
    }

    public var services: [ServiceDefinition] = []
    public var networks: [NetworkDefinition] = []
    public var secrets: [FileObject] = []
    public var configs: [FileObject] = []
    public var volumes: [VolumeDefinition] = []
    /// Notes for the user (ignored options, unset variables).
    public var warnings: [String] = []
}

extension ComposeProject {
    /// A mount as the engine gets it under stack `stack`: a named volume under the stack's
    /// name (or its own), labelled with the stack and carrying its driver when the file gives
    /// one, as docker's `convertVolumeToMount` does; an external volume as it is.
    public func mount(_ use: MountUse, stack: String) -> Mount {
        var mount = use.mount
        guard let key = use.volumeKey, let volume = volumes.first(where: { $0.key == key }) else { return mount }
        mount.source = volume.name ?? "\(stack)_\(key)"
        guard !volume.external else { return mount }
        var options = mount.volumeOptions ?? Mount.VolumeOptions()
        options.labels = volume.labels.merging([StackLabels.namespace: stack]) { _, new in new }
        if volume.driver != nil || !volume.driverOptions.isEmpty {
            options.driverConfig = Driver(name: volume.driver ?? "", options: volume.driverOptions)
        }
        mount.volumeOptions = options
        return mount
    }
}
