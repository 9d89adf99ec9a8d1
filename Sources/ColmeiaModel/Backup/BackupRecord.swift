/// A backup of the event log as the audit trail records it: who took it (the command's
/// actor), which part of the log it holds, and how it ended.
public struct BackupRecord: Sendable, Hashable, Codable {
    /// The file's name for a scheduled backup; `download` for one streamed to a client.
    public var file: String
    /// Taken by the leader on `--backup-interval`, not asked for.
    public var scheduled: Bool
    public var firstIndex: UInt64
    public var lastIndex: UInt64
    public var bytes: UInt64
    /// Why it failed; nil when it was written whole.
    public var error: String?

    public init(file: String, scheduled: Bool, firstIndex: UInt64, lastIndex: UInt64, bytes: UInt64, error: String? = nil) {
        self.file = file
        self.scheduled = scheduled
        self.firstIndex = firstIndex
        self.lastIndex = lastIndex
        self.bytes = bytes
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case file = "File"
        case scheduled = "Scheduled"
        case firstIndex = "FirstIndex"
        case lastIndex = "LastIndex"
        case bytes = "Bytes"
        case error = "Error"
    }
}
