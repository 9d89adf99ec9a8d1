/// Why a backup could not be written, read, verified or restored, in words an operator
/// can act on: which part of the file, at which byte offset.
public enum BackupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file is not a Colmeia backup, or its frame (header, trailer, manifest) is damaged.
    case malformed(String)
    /// A part's bytes do not match the manifest's checksum.
    case damaged(part: String, offset: UInt64, detail: String)
    /// The passphrase does not open the backup's key.
    case wrongPassphrase
    /// No passphrase where one is needed.
    case passphraseRequired(String)
    /// The requested point is outside what the backup covers.
    case outOfRange(String)
    /// Writing the backup or the restored data directory failed.
    case io(String)
    /// The log inside the backup could not be replayed.
    case replay(String)

    public var description: String {
        switch self {
        case .malformed(let detail): "not a readable Colmeia backup: \(detail)"
        case .damaged(let part, let offset, let detail): "the backup is damaged: part \"\(part)\" at byte offset \(offset): \(detail)"
        case .wrongPassphrase: "the passphrase does not open this backup (wrong passphrase, or the key was altered)"
        case .passphraseRequired(let detail): detail
        case .outOfRange(let detail): detail
        case .io(let detail): detail
        case .replay(let detail): "cannot replay the backup's log: \(detail)"
        }
    }
}
