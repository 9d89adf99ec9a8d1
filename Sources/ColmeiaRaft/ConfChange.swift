/// A single-server membership change (Raft §6 as refined in Ongaro's thesis §4.1):
/// one voter or learner at a time, so any two consecutive configurations share a majority.
public struct ConfChange: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable {
        /// Adds a voter, or promotes an existing learner to voter.
        case addNode = 0
        /// Removes a voter or learner.
        case removeNode = 1
        /// Adds a non-voting learner, or demotes a voter to learner.
        case addLearner = 2
    }

    public var kind: Kind
    public var nodeID: NodeID
    /// Opaque to Raft: the application stores addresses or certificates here.
    public var context: [UInt8]

    public init(_ kind: Kind, nodeID: NodeID, context: [UInt8] = []) {
        self.kind = kind
        self.nodeID = nodeID
        self.context = context
    }
}

extension ConfChange {
    /// Compact binary form carried in a `.confChange` log entry:
    /// kind (1 byte), node id (8 bytes little-endian), then the context.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [kind.rawValue]
        bytes.reserveCapacity(9 + context.count)
        withUnsafeBytes(of: nodeID.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: context)
        return bytes
    }

    /// Decodes ``encoded()``; `nil` for bytes that are not a conf change.
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 9, let kind = Kind(rawValue: bytes[0]) else { return nil }
        var id: UInt64 = 0
        for offset in 0..<8 { id |= UInt64(bytes[1 + offset]) << (8 * UInt64(offset)) }
        self.init(kind, nodeID: id, context: Array(bytes[9...]))
    }
}
