/// The unit of the replicated log: an envelope, optional preconditions and the events to
/// apply atomically (all of them, or none if a precondition fails).
public struct ClusterCommand: Sendable, Hashable {
    /// The format version this build writes. Readers accept 1 through this.
    public static let formatVersion = 1

    public var envelope: CommandEnvelope
    public var preconditions: [Precondition]
    public var events: [ClusterEvent]

    public init(envelope: CommandEnvelope, preconditions: [Precondition] = [], events: [ClusterEvent]) {
        self.envelope = envelope
        self.preconditions = preconditions
        self.events = events
    }
}
