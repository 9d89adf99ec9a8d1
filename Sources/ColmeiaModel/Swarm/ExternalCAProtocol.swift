/// The protocol of an external certificate authority (only `cfssl`).
public struct ExternalCAProtocol: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let cfssl: ExternalCAProtocol = "cfssl"

    public static let knownValues: [ExternalCAProtocol] = [.cfssl]
}
