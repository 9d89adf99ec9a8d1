/// The kind of task a `TaskSpec` describes (`container` when empty).
public struct RuntimeType: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let container: RuntimeType = "container"
    public static let plugin: RuntimeType = "plugin"
    public static let attachment: RuntimeType = "attachment"

    public static let knownValues: [RuntimeType] = [.container, .plugin, .attachment]
}
