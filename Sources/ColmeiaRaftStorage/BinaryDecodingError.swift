/// Why bytes could not be decoded. Offsets are positions in the buffer being read,
/// which for WAL records is the byte offset inside the segment file.
public enum BinaryDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input ended before a field: `needed` bytes were required at `offset`, `available` remained.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A field held a value that no encoder produces.
    case invalidValue(field: String, value: UInt64, offset: Int)
    /// A complete value was decoded but `count` unexplained bytes followed it.
    case trailingBytes(offset: Int, count: Int)

    public var description: String {
        switch self {
        case let .truncated(offset, needed, available):
            return "truncated input at byte offset \(offset): needed \(needed) bytes, \(available) available"
        case let .invalidValue(field, value, offset):
            return "invalid \(field) \(value) at byte offset \(offset)"
        case let .trailingBytes(offset, count):
            return "\(count) unexpected trailing bytes at byte offset \(offset)"
        }
    }
}
