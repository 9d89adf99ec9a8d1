/// Reads little-endian fields from a byte buffer, throwing instead of trapping when the
/// input is short or malformed. Every read is bounds-checked against `endOffset`, so a
/// reader over part of a larger buffer (one WAL record inside a segment) never strays
/// outside it; offsets in errors are positions in the whole buffer.
public struct BinaryReader: Sendable {
    private let bytes: [UInt8]
    /// Where the next read starts.
    public private(set) var offset: Int
    /// One past the last readable byte.
    public let endOffset: Int

    /// Reads all of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.endOffset = bytes.count
    }

    /// Reads only `range` of `bytes` (clamped to the buffer).
    public init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.offset = max(0, min(range.lowerBound, bytes.count))
        self.endOffset = max(self.offset, min(range.upperBound, bytes.count))
    }

    /// Bytes left to read.
    public var remaining: Int { endOffset - offset }

    /// Whether every byte has been consumed.
    public var isAtEnd: Bool { offset >= endOffset }

    /// Reads one byte.
    public mutating func readUInt8() throws(BinaryDecodingError) -> UInt8 {
        try require(1)
        let value = bytes[offset]
        offset += 1
        return value
    }

    /// Reads a little-endian integer.
    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(BinaryDecodingError) -> T {
        let size = MemoryLayout<T>.size
        try require(size)
        let start = offset
        let raw = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start, as: T.self) }
        offset += size
        return T(littleEndian: raw)
    }

    /// Reads exactly `count` bytes.
    public mutating func readBytes(count: Int) throws(BinaryDecodingError) -> [UInt8] {
        guard count >= 0 else {
            throw .invalidValue(field: "byte count", value: UInt64(truncatingIfNeeded: count), offset: offset)
        }
        try require(count)
        let value = Array(bytes[offset..<(offset + count)])
        offset += count
        return value
    }

    /// Reads a `UInt32` length and that many bytes; the length is checked against what
    /// remains before anything is allocated.
    public mutating func readLengthPrefixed() throws(BinaryDecodingError) -> [UInt8] {
        let length = try read(UInt32.self)
        return try readBytes(count: Int(length))
    }

    /// Throws unless every byte has been consumed.
    public func expectEnd() throws(BinaryDecodingError) {
        if offset < endOffset {
            throw .trailingBytes(offset: offset, count: endOffset - offset)
        }
    }

    private func require(_ count: Int) throws(BinaryDecodingError) {
        if count > endOffset - offset {
            throw .truncated(offset: offset, needed: count, available: endOffset - offset)
        }
    }
}
