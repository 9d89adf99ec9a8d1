/// The answer to ``RaftNode/readIndex(context:)``: once the local node has applied up to
/// `index`, a read served from its state machine is linearizable (Raft thesis §6.4).
public struct ReadState: Sendable, Hashable {
    public var index: UInt64
    public var context: [UInt8]

    public init(index: UInt64, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}
