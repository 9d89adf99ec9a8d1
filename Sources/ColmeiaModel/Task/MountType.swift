/// The kind of a container mount.
public struct MountType: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let bind: MountType = "bind"
    public static let volume: MountType = "volume"
    public static let tmpfs: MountType = "tmpfs"
    public static let npipe: MountType = "npipe"
    public static let cluster: MountType = "cluster"
    public static let image: MountType = "image"

    public static let knownValues: [MountType] = [.bind, .volume, .tmpfs, .npipe, .cluster, .image]
}
