/// Errors from ``SnapshotStore``; each names the snapshot file involved.
public enum SnapshotStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call failed.
    case io(SystemCallError)
    /// No snapshot file with that term and index.
    case notFound(path: String)
    /// The file does not start with the snapshot magic bytes.
    case badMagic(path: String)
    /// The file was written by an unknown format version.
    case unsupportedVersion(path: String, version: UInt16)
    /// The stored CRC-32C does not match the contents.
    case checksumMismatch(path: String, stored: UInt32, computed: UInt32)
    /// The contents are cut short or malformed; the decoding error carries the byte offset.
    case malformed(path: String, BinaryDecodingError)
    /// The metadata inside disagrees with the term and index in the file name.
    case nameMismatch(path: String, term: UInt64, index: UInt64)
    /// The caller asked for something the store cannot do.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .io(error):
            return "snapshot I/O error: \(error)"
        case let .notFound(path):
            return "snapshot file not found: \(path)"
        case let .badMagic(path):
            return "not a Colmeia snapshot file (bad magic at byte offset 0): \(path)"
        case let .unsupportedVersion(path, version):
            return "unsupported snapshot format version \(version) in \(path)"
        case let .checksumMismatch(path, stored, computed):
            return "snapshot checksum mismatch in \(path) "
                + "(stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16)))"
        case let .malformed(path, error):
            return "malformed snapshot file \(path): \(error)"
        case let .nameMismatch(path, term, index):
            return "snapshot file \(path) holds term \(term) index \(index), which does not match its name"
        case let .invalidArgument(message):
            return "invalid snapshot operation: \(message)"
        }
    }
}
