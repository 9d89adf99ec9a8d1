import ColmeiaRaft

/// One framed WAL record:
///
///     [u32 length][u32 crc32c][u8 type][payload]
///
/// `length` counts the type byte plus the payload (so it is never 0 — which lets an
/// all-zero tail be recognised), and the CRC-32C covers the same bytes.
enum WALRecord: Sendable, Hashable {
    /// Type 1, first record of every segment: ``WALSegmentHeader``.
    case segmentHeader(WALSegmentHeader)
    /// Type 2: the ``Entry`` layout.
    case entry(Entry)
    /// Type 3: the ``HardState`` layout.
    case hardState(HardState)
    /// Type 4: flags u8 (bit 0 = `discardsLog`), then the ``SnapshotMetadata`` layout.
    /// A snapshot now covers the log up to `metadata.index`. `discardsLog` is decided by
    /// the writer, which knows every term: true when the log holds that index with a
    /// different term, so (Raft §7) the suffix after it is a deposed leader's and goes too.
    case snapshotMarker(SnapshotMetadata, discardsLog: Bool)

    enum Kind: UInt8 {
        case segmentHeader = 1
        case entry = 2
        case hardState = 3
        case snapshotMarker = 4
    }

    /// Bytes before the type: length and checksum.
    static let frameHeaderSize = 8

    var kind: Kind {
        switch self {
        case .segmentHeader: return .segmentHeader
        case .entry: return .entry
        case .hardState: return .hardState
        case .snapshotMarker: return .snapshotMarker
        }
    }

    /// Appends the framed record to `writer`, refusing records over `limit` bytes so the
    /// reader's length sanity check can never reject what the writer produced.
    func append(to writer: inout BinaryWriter, limit: Int) throws(WALError) {
        let start = writer.count
        writer.write(UInt32(0))
        writer.write(UInt32(0))
        writer.write(kind.rawValue)
        switch self {
        case let .segmentHeader(header):
            header.encode(to: &writer)
        case let .entry(entry):
            entry.encode(to: &writer)
        case let .hardState(state):
            state.encode(to: &writer)
        case let .snapshotMarker(metadata, discardsLog):
            writer.write(UInt8(discardsLog ? 1 : 0))
            metadata.encode(to: &writer)
        }
        let length = writer.count - start - Self.frameHeaderSize
        guard length <= limit else {
            writer.truncate(to: start)
            throw .recordTooLarge(length: length, limit: limit)
        }
        writer.overwrite(UInt32(length), at: start)
        writer.overwrite(writer.checksum((start + Self.frameHeaderSize)..<writer.count), at: start + 4)
    }

    /// Decodes the type byte and payload in `range` of `bytes` (the checksum has
    /// already been verified, so a failure here is corruption or a newer format).
    static func decode(_ bytes: [UInt8], range: Range<Int>) throws(WALCorruption) -> WALRecord {
        guard !range.isEmpty else { throw .invalidLength(0) }
        let rawKind = bytes[range.lowerBound]
        guard let kind = Kind(rawValue: rawKind) else { throw .unknownRecordType(rawKind) }
        var reader = BinaryReader(bytes, range: (range.lowerBound + 1)..<range.upperBound)
        do {
            let record = try decodePayload(kind, &reader)
            try reader.expectEnd()
            return record
        } catch {
            throw .undecodable(error)
        }
    }

    private static func decodePayload(
        _ kind: Kind, _ reader: inout BinaryReader
    ) throws(BinaryDecodingError) -> WALRecord {
        switch kind {
        case .segmentHeader:
            return .segmentHeader(try WALSegmentHeader(from: &reader))
        case .entry:
            return .entry(try Entry(from: &reader))
        case .hardState:
            return .hardState(try HardState(from: &reader))
        case .snapshotMarker:
            let flagOffset = reader.offset
            let flags = try reader.readUInt8()
            guard flags <= 1 else {
                throw .invalidValue(field: "marker flags", value: UInt64(flags), offset: flagOffset)
            }
            return .snapshotMarker(try SnapshotMetadata(from: &reader), discardsLog: flags == 1)
        }
    }
}
