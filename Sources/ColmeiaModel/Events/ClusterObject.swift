/// A stored object of the cluster: it has a kind, an id, a name that may have to be unique,
/// and a version that apply sets to the Raft index of the command that changed it.
public protocol ClusterObject: Sendable, Hashable, Codable {
    /// The kind of every value of this type.
    static var kind: ObjectKind { get }
    /// The object's id.
    var objectID: String { get }
    /// The name used by `nameAbsent` preconditions ("" when the kind has none).
    var objectName: String { get }
    /// The object's version (`Version.Index`).
    var objectVersion: Version { get set }
    /// When the object was created; apply sets it from the creating command's time.
    var objectCreatedAt: Timestamp { get set }
    /// When the object last changed; apply sets it from the command's time.
    var objectUpdatedAt: Timestamp { get set }
}

/// The members Docker's swarm objects share (`ID`, `Version`, `CreatedAt`, `UpdatedAt`),
/// from which ``ClusterObject``'s accessors follow.
public protocol SwarmObjectMeta {
    var id: String { get }
    var version: Version { get set }
    var createdAt: Timestamp { get set }
    var updatedAt: Timestamp { get set }
}

extension ClusterObject where Self: SwarmObjectMeta {
    public var objectID: String { id }
    public var objectVersion: Version {
        get { version }
        set { version = newValue }
    }
    public var objectCreatedAt: Timestamp {
        get { createdAt }
        set { createdAt = newValue }
    }
    public var objectUpdatedAt: Timestamp {
        get { updatedAt }
        set { updatedAt = newValue }
    }
}

extension Swarm: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .cluster }
    public var objectName: String { spec.name }
}

extension Node: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .node }
    /// Node names are not unique; this is the hostname if the spec has no name.
    public var objectName: String { spec.name.isEmpty ? description.hostname : spec.name }
}

extension Service: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .service }
    public var objectName: String { spec.name }
}

extension SwarmTask: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .task }
    public var objectName: String { name }
}

extension Secret: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .secret }
    public var objectName: String { spec.name }
}

extension Config: ClusterObject, SwarmObjectMeta {
    public static var kind: ObjectKind { .config }
    public var objectName: String { spec.name }
}

/// Docker networks have their own shape: `Id`, `Created`, and no update time.
extension Network: ClusterObject {
    public static var kind: ObjectKind { .network }
    public var objectID: String { id }
    public var objectName: String { name }
    public var objectVersion: Version {
        get { version ?? Version() }
        set { version = newValue }
    }
    public var objectCreatedAt: Timestamp {
        get { created }
        set { created = newValue }
    }
    public var objectUpdatedAt: Timestamp {
        get { created }
        set {}
    }
}
