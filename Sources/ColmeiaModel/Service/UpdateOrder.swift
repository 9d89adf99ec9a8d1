/// Whether an update stops the old task before starting the new one (`stop-first`) or the reverse (`start-first`).
public struct UpdateOrder: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let stopFirst: UpdateOrder = "stop-first"
    public static let startFirst: UpdateOrder = "start-first"

    public static let knownValues: [UpdateOrder] = [.stopFirst, .startFirst]
}
