/// A value with a compact little-endian binary form.
///
/// Layouts carry no version of their own: the containers they are stored in (a WAL
/// segment header, a snapshot file header) carry the format version, so a per-value
/// tag would only cost bytes on every entry.
public protocol BinaryEncodable {
    /// Appends the binary form to `writer`.
    func encode(to writer: inout BinaryWriter)
}

/// A value that can be read back from its binary form.
public protocol BinaryDecodable {
    /// Reads one value, leaving the reader just after it.
    init(from reader: inout BinaryReader) throws(BinaryDecodingError)
}

/// A value that round-trips through ``BinaryWriter`` and ``BinaryReader``.
public typealias BinaryCodable = BinaryEncodable & BinaryDecodable

extension BinaryEncodable {
    /// The binary form as a standalone byte array.
    public func binaryEncoded() -> [UInt8] {
        var writer = BinaryWriter()
        encode(to: &writer)
        return writer.bytes
    }
}

extension BinaryDecodable {
    /// Decodes a value that must occupy all of `bytes`.
    public init(binaryEncoded bytes: [UInt8]) throws(BinaryDecodingError) {
        var reader = BinaryReader(bytes)
        self = try Self(from: &reader)
        try reader.expectEnd()
    }
}
