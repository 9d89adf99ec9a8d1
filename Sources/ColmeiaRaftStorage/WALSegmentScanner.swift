import ColmeiaRaft

/// Splits a segment into records and decides, for each problem, whether it is a torn
/// tail (an interrupted final write, safe to cut off because it was never acknowledged)
/// or corruption (anything else, which must stop the node).
///
/// Only the last segment can have a torn tail: a segment is fsynced before the next one
/// is created, and its header is written through a temp file and rename, so a damaged
/// header or a damaged record in a sealed segment is always corruption. In the last
/// segment a problem is a torn tail only if nothing valid could follow it:
/// - the file ends inside the record's frame or payload (and no complete, checksummed
///   record can be found after it — otherwise a damaged length field is hiding good data);
/// - the checksum fails and the record ends exactly at end of file, or only zero bytes
///   follow it (file size was extended but the data never reached the disk);
/// - a zero length field with nothing but zeros up to end of file.
enum WALSegmentScanner {
    /// How many bytes the search for valid records after a suspected torn tail may
    /// checksum; past it the tail is treated as corruption, the conservative answer.
    static let searchBudget = 256 << 20

    static func scan(
        _ bytes: [UInt8],
        path: String,
        name: WALSegmentName,
        isLast: Bool,
        limit: Int
    ) throws(WALError) -> WALSegmentScan {
        var records: [(offset: Int, record: WALRecord)] = []
        let end = bytes.count
        var offset = 0
        try checkHeaderShape(bytes, path: path)
        while offset < end {
            let canBeTorn = isLast && offset > 0
            func corrupt(_ problem: WALCorruption) -> WALError {
                .corrupt(path: path, offset: offset, problem: problem)
            }
            func torn(_ reason: String) -> WALSegmentScan {
                WALSegmentScan(records: records, tornTail: (offset, reason))
            }
            guard end - offset >= 4 else {
                if canBeTorn { return torn("incomplete record frame at end of file") }
                throw corrupt(.truncated(recordEnd: offset + WALRecord.frameHeaderSize, fileSize: end))
            }
            let length = readUInt32(bytes, offset)
            if length == 0 {
                if canBeTorn && isZero(bytes, offset..<end) { return torn("zero-filled tail") }
                throw corrupt(.invalidLength(0))
            }
            guard Int(length) <= limit else { throw corrupt(.invalidLength(length)) }
            let payloadStart = offset + WALRecord.frameHeaderSize
            let recordEnd = payloadStart + Int(length)
            if recordEnd > end {
                if canBeTorn {
                    if !containsValidRecord(bytes, after: offset) {
                        return torn("record extends past end of file")
                    }
                    throw corrupt(.invalidLength(length))
                }
                throw corrupt(.truncated(recordEnd: recordEnd, fileSize: end))
            }
            let stored = readUInt32(bytes, offset + 4)
            let computed = checksum(bytes, payloadStart..<recordEnd)
            if stored != computed {
                if canBeTorn && isZero(bytes, recordEnd..<end) {
                    return torn("checksum mismatch in final record")
                }
                throw corrupt(.checksumMismatch(stored: stored, computed: computed))
            }
            let record: WALRecord
            do {
                record = try WALRecord.decode(bytes, range: payloadStart..<recordEnd)
            } catch {
                throw corrupt(error)
            }
            if case let .segmentHeader(header) = record {
                guard offset == 0 else { throw corrupt(.misplacedSegmentHeader) }
                guard header.version == WALSegmentHeader.currentVersion else {
                    throw corrupt(.unsupportedVersion(header.version))
                }
                guard header.sequence == name.sequence, header.firstIndex == name.firstIndex else {
                    throw corrupt(.headerMismatch(sequence: header.sequence, firstIndex: header.firstIndex))
                }
            } else if offset == 0 {
                throw corrupt(.missingSegmentHeader)
            }
            records.append((offset, record))
            offset = recordEnd
        }
        if records.isEmpty {
            throw .corrupt(path: path, offset: 0, problem: .missingSegmentHeader)
        }
        return WALSegmentScan(records: records, tornTail: nil)
    }

    /// Rejects files that are not WAL segments at all before their first "record" is
    /// interpreted, so random bytes read as "not a WAL segment" rather than as a
    /// checksum mismatch.
    private static func checkHeaderShape(_ bytes: [UInt8], path: String) throws(WALError) {
        let magicStart = WALRecord.frameHeaderSize + 1
        let magic = WALSegmentHeader.magic
        guard bytes.count >= magicStart + magic.count,
              bytes[WALRecord.frameHeaderSize] == WALRecord.Kind.segmentHeader.rawValue,
              Array(bytes[magicStart..<(magicStart + magic.count)]) == magic
        else {
            throw .corrupt(path: path, offset: 0, problem: .badMagic)
        }
    }

    /// Whether a complete record with a matching checksum starts anywhere after `offset`.
    /// Candidates must first be structurally plausible (known type, length agreeing with
    /// the payload's own length fields), so the checksum is rarely computed on noise.
    static func containsValidRecord(_ bytes: [UInt8], after offset: Int) -> Bool {
        let end = bytes.count
        let minimum = WALRecord.frameHeaderSize + 1
        var budget = searchBudget
        var position = offset + 1
        while position + minimum <= end {
            defer { position += 1 }
            let length = Int(readUInt32(bytes, position))
            let payloadStart = position + WALRecord.frameHeaderSize
            guard length >= 1, length <= end - payloadStart,
                  isPlausible(bytes, payloadStart: payloadStart, length: length)
            else { continue }
            if length > budget { return true }
            budget -= length
            if checksum(bytes, payloadStart..<(payloadStart + length)) == readUInt32(bytes, position + 4) {
                return true
            }
        }
        return false
    }

    /// Cheap structural checks mirroring the payload layouts in `WALRecord`.
    private static func isPlausible(_ bytes: [UInt8], payloadStart: Int, length: Int) -> Bool {
        guard let kind = WALRecord.Kind(rawValue: bytes[payloadStart]) else { return false }
        let body = payloadStart + 1
        switch kind {
        case .segmentHeader:
            return length == 1 + WALSegmentHeader.encodedSize
        case .hardState:
            return length == 1 + 24
        case .entry:
            guard length >= 1 + 21, bytes[body + 16] <= 1 else { return false }
            return length == 1 + 21 + Int(readUInt32(bytes, body + 17))
        case .snapshotMarker:
            guard length >= 1 + 1 + 16 + 8, bytes[body] <= 1 else { return false }
            let voters = Int(readUInt32(bytes, body + 17))
            let learnersOffset = body + 21 + voters * 8
            guard voters <= length, learnersOffset + 4 <= payloadStart + length else { return false }
            let learners = Int(readUInt32(bytes, learnersOffset))
            return learners <= length && length == 1 + 1 + 16 + 8 + 8 * (voters + learners)
        }
    }

    static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(bytes[offset + shift]) << (8 * UInt32(shift)) }
        return value
    }

    static func isZero(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        bytes[range].allSatisfy { $0 == 0 }
    }

    static func checksum(_ bytes: [UInt8], _ range: Range<Int>) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
