/// What was wrong with a WAL record that recovery refused to skip.
public enum WALCorruption: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stored CRC-32C does not match the record's type and payload.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// The length field is zero or larger than any record the writer produces.
    case invalidLength(UInt32)
    /// The record runs past the end of a segment that is not the last one.
    case truncated(recordEnd: Int, fileSize: Int)
    /// The checksum matched but the type byte is unknown (written by a newer version?).
    case unknownRecordType(UInt8)
    /// The checksum matched but the payload does not decode.
    case undecodable(BinaryDecodingError)
    /// The segment does not start with a valid header record.
    case missingSegmentHeader
    /// A header record appeared after the start of a segment.
    case misplacedSegmentHeader
    /// The header's magic bytes are wrong: not a Colmeia WAL segment.
    case badMagic
    /// The segment was written by an unknown format version.
    case unsupportedVersion(UInt16)
    /// The header disagrees with the file name (a renamed or copied segment).
    case headerMismatch(sequence: UInt64, firstIndex: UInt64)
    /// An entry skips indexes: the log would have a hole.
    case entryGap(expectedAtMost: UInt64, found: UInt64)
    /// After replay the log does not start right after the snapshot marker: entries
    /// between were lost (for instance a segment deleted by hand).
    case missingEntries(expectedFirst: UInt64, found: UInt64)

    public var description: String {
        switch self {
        case let .checksumMismatch(stored, computed):
            return "checksum mismatch (stored 0x\(hex(stored)), computed 0x\(hex(computed)))"
        case let .invalidLength(length):
            return "invalid record length \(length)"
        case let .truncated(recordEnd, fileSize):
            return "record ends at byte \(recordEnd) but the sealed segment is only \(fileSize) bytes"
        case let .unknownRecordType(type):
            return "unknown record type \(type)"
        case let .undecodable(error):
            return "undecodable payload: \(error)"
        case .missingSegmentHeader:
            return "segment does not start with a header record"
        case .misplacedSegmentHeader:
            return "segment header record in the middle of a segment"
        case .badMagic:
            return "not a Colmeia WAL segment (bad magic)"
        case let .unsupportedVersion(version):
            return "unsupported WAL format version \(version)"
        case let .headerMismatch(sequence, firstIndex):
            return "header says sequence \(sequence), first index \(firstIndex), which does not match the file name"
        case let .entryGap(expectedAtMost, found):
            return "entry index \(found) leaves a gap (next index must be at most \(expectedAtMost))"
        case let .missingEntries(expectedFirst, found):
            return "log starts at index \(found) but the snapshot marker requires \(expectedFirst)"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
