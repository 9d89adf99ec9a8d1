import ColmeiaRaft

/// The bytes of one snapshot file:
///
///     magic "CLMSNAP\0" (8) | version u16 | reserved u16 (0) | crc32c u32
///     | metadata length u32 | SnapshotMetadata | data length u64 | data
///
/// The CRC-32C covers everything after itself, so any flipped bit in metadata or data
/// is caught before the state machine is restored from it.
enum SnapshotFileFormat {
    static let magic: [UInt8] = Array("CLMSNAP".utf8) + [0]
    static let currentVersion: UInt16 = 1
    static let checksummedStart = 16

    static func encode(_ snapshot: Snapshot) -> [UInt8] {
        let metadata = snapshot.metadata.binaryEncoded()
        var writer = BinaryWriter(capacity: checksummedStart + 12 + metadata.count + snapshot.data.count)
        writer.write(contentsOf: magic)
        writer.write(currentVersion)
        writer.write(UInt16(0))
        writer.write(UInt32(0))
        writer.writeLengthPrefixed(metadata)
        writer.write(UInt64(snapshot.data.count))
        writer.write(contentsOf: snapshot.data)
        writer.overwrite(writer.checksum(checksummedStart..<writer.count), at: 12)
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws(SnapshotStoreError) -> Snapshot {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw .badMagic(path: path)
        }
        var reader = BinaryReader(bytes, range: magic.count..<bytes.count)
        let version: UInt16
        let stored: UInt32
        do {
            version = try reader.read(UInt16.self)
            _ = try reader.read(UInt16.self)
            stored = try reader.read(UInt32.self)
        } catch {
            throw .malformed(path: path, error)
        }
        guard version == currentVersion else { throw .unsupportedVersion(path: path, version: version) }
        let computed = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[checksummedStart...]))
        }
        guard stored == computed else { throw .checksumMismatch(path: path, stored: stored, computed: computed) }
        do {
            return try decodeBody(&reader)
        } catch {
            throw .malformed(path: path, error)
        }
    }

    private static func decodeBody(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> Snapshot {
        let metadata = try SnapshotMetadata(binaryEncoded: try reader.readLengthPrefixed())
        let lengthOffset = reader.offset
        let dataLength = try reader.read(UInt64.self)
        guard dataLength == UInt64(reader.remaining) else {
            throw .invalidValue(field: "snapshot data length", value: dataLength, offset: lengthOffset)
        }
        let data = try reader.readBytes(count: reader.remaining)
        return Snapshot(metadata: metadata, data: data)
    }
}
