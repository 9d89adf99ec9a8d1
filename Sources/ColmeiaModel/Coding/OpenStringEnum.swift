/// A string-valued Docker enumeration (`NodeRole`, `RestartCondition`, …) that decodes any
/// string, so an unexpected value reaches validation and gets Docker's error message
/// (`invalid Role: "boss"`) instead of a generic decoding failure.
public protocol OpenStringEnum: RawRepresentable, Codable, Hashable, Sendable,
    ExpressibleByStringLiteral, CustomStringConvertible
where RawValue == String, StringLiteralType == String {
    init(rawValue: String)
    /// The values Docker defines.
    static var knownValues: [Self] { get }
}

extension OpenStringEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// Whether this is one of ``knownValues``.
    public var isKnown: Bool { Self.knownValues.contains(self) }

    /// The known value equal to this one ignoring case (Docker matches some enums that way).
    public var canonical: Self? {
        Self.knownValues.first { $0.rawValue.lowercased() == rawValue.lowercased() }
    }
}
