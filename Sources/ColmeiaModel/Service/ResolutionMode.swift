/// How a service's tasks are found by name: a virtual IP (`vip`) or DNS round robin (`dnsrr`).
public struct ResolutionMode: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let vip: ResolutionMode = "vip"
    public static let dnsrr: ResolutionMode = "dnsrr"

    public static let knownValues: [ResolutionMode] = [.vip, .dnsrr]
}
