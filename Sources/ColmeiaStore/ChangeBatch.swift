import ColmeiaModel

/// The events one applied command produced, as the change feed delivers them.
public struct ChangeBatch: Sendable, Hashable {
    public var index: UInt64
    public var records: [AuditRecord]
}
