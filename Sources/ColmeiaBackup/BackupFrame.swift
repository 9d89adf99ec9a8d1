import ColmeiaNode

/// The fixed parts of a backup file around its manifest:
///
///     header   "COLMEIA-BACKUP/1\n"
///     parts    snapshot, then log: AES-256-GCM chunks, back to back
///     manifest JSON (``BackupManifest``)
///     trailer  manifest length (UInt64, little endian) ‖ SHA-256 of the manifest ‖ "COLMEIA-END/1\n\n\n"
///
/// The manifest is at the end so that a backup can be streamed as it is made; the
/// trailer's fixed size lets a reader find it.
enum BackupFrame {
    static let header = Array("COLMEIA-BACKUP/1\n".utf8)
    static let end = Array("COLMEIA-END/1\n\n\n".utf8)
    static let trailerBytes = 8 + 32 + end.count
    /// A manifest larger than this is refused before it is parsed.
    static let maximumManifestBytes: UInt64 = 64 << 20

    static func trailer(manifestLength: Int, manifestSHA256: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(trailerBytes)
        for shift in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: UInt64(manifestLength) >> (8 * UInt64(shift)))) }
        return bytes + manifestSHA256 + end
    }
}

/// One committed entry as the log part stores it: index, term (UInt64, little endian), a
/// flag (1: a command follows), the command's length (UInt32) and bytes.
enum LogRecord {
    static func append(index: UInt64, term: UInt64, payload: [UInt8]?, to bytes: inout [UInt8]) {
        appendInteger(index, count: 8, to: &bytes)
        appendInteger(term, count: 8, to: &bytes)
        if let payload {
            bytes.append(1)
            appendInteger(UInt64(payload.count), count: 4, to: &bytes)
            bytes += payload
        } else {
            bytes.append(0)
        }
    }

    private static func appendInteger(_ value: UInt64, count: Int, to bytes: inout [UInt8]) {
        for shift in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift)))) }
    }

    /// Every record of a decrypted log part, checked to follow each other from `base + 1`.
    static func decode(_ bytes: [UInt8], after base: UInt64) throws(BackupError) -> [CommittedEntry] {
        var records: [CommittedEntry] = []
        var offset = 0
        func integer(_ count: Int) throws(BackupError) -> UInt64 {
            guard offset + count <= bytes.count else { throw .malformed("the log part ends inside a record at byte \(offset)") }
            var value: UInt64 = 0
            for shift in 0..<count { value |= UInt64(bytes[offset + shift]) << (8 * UInt64(shift)) }
            offset += count
            return value
        }
        var expected = base + 1
        while offset < bytes.count {
            let index = try integer(8)
            let term = try integer(8)
            guard index == expected else {
                throw .malformed("the log part holds index \(index) where \(expected) was expected")
            }
            expected += 1
            let flag = try integer(1)
            var payload: [UInt8]?
            if flag == 1 {
                let length = Int(try integer(4))
                guard offset + length <= bytes.count else { throw .malformed("the log part ends inside the entry at index \(index)") }
                payload = Array(bytes[offset..<(offset + length)])
                offset += length
            } else if flag != 0 {
                throw .malformed("the entry at index \(index) has an unknown kind \(flag)")
            }
            records.append(CommittedEntry(index: index, term: term, payload: payload))
        }
        return records
    }
}
