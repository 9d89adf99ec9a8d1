/// Appends little-endian fields to a growing byte buffer.
public struct BinaryWriter: Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8]

    /// Starts an empty buffer, reserving `capacity` bytes up front.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written so far.
    public var count: Int { bytes.count }

    /// Appends one byte.
    public mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends an integer in little-endian order.
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends raw bytes without a length prefix.
    public mutating func write(contentsOf raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Appends a `UInt32` length followed by the bytes, the framing every variable-size
    /// field uses so a decoder can bound its allocation before reading.
    public mutating func writeLengthPrefixed(_ raw: [UInt8]) {
        write(UInt32(truncatingIfNeeded: raw.count))
        bytes.append(contentsOf: raw)
    }

    /// Reserves room for at least `additional` more bytes.
    public mutating func reserve(_ additional: Int) {
        bytes.reserveCapacity(bytes.count + additional)
    }

    /// Overwrites a previously written `UInt32`, used to back-fill length and checksum
    /// fields once the data they describe has been appended.
    mutating func overwrite(_ value: UInt32, at offset: Int) {
        let little = value.littleEndian
        for shift in 0..<4 {
            bytes[offset + shift] = UInt8(truncatingIfNeeded: little >> (8 * UInt32(shift)))
        }
    }

    /// Drops everything after the first `count` bytes, to undo a partial write.
    mutating func truncate(to count: Int) {
        if count < bytes.count { bytes.removeSubrange(count...) }
    }

    /// CRC-32C of the bytes in `range`.
    func checksum(_ range: Range<Int>) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
