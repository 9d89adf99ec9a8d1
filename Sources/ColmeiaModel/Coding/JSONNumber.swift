/// A JSON number kept exactly as decoded: integers stay integers (no `Double` rounding of
/// large values such as byte counts or nanosecond durations).
public enum JSONNumber: Sendable, Hashable {
    /// Any integer that fits `Int64`.
    case integer(Int64)
    /// A non-negative integer above `Int64.max`.
    case unsignedInteger(UInt64)
    /// Every other number.
    case floatingPoint(Double)

    /// The value as a `Double` (may round large integers).
    public var doubleValue: Double {
        switch self {
        case .integer(let value): Double(value)
        case .unsignedInteger(let value): Double(value)
        case .floatingPoint(let value): value
        }
    }

    /// The value as an `Int64` when it is an integer that fits.
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): value
        case .unsignedInteger: nil
        case .floatingPoint(let value): Int64(exactly: value)
        }
    }
}

extension JSONNumber: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsignedInteger(value)
        } else {
            self = .floatingPoint(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .unsignedInteger(let value): try container.encode(value)
        case .floatingPoint(let value): try container.encode(value)
        }
    }
}

extension JSONNumber: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .floatingPoint(value) }
}
