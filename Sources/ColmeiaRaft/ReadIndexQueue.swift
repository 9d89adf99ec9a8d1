/// Read-index requests waiting for a quorum of heartbeat acknowledgements that prove the
/// leader was still the leader when it recorded their commit index (Raft thesis §6.4).
struct ReadIndexQueue: Sendable {
    struct Request: Sendable {
        var index: UInt64
        /// Who asked: this node, or a follower that forwarded the request.
        var from: NodeID
        var context: [UInt8]
        var acks: Set<NodeID>
    }

    private(set) var requests: [Request] = []

    var isEmpty: Bool { requests.isEmpty }

    /// The context of the newest request, sent along with heartbeats.
    var lastContext: [UInt8]? { requests.last?.context }

    mutating func add(index: UInt64, from: NodeID, context: [UInt8], selfID: NodeID) {
        // Contexts identify requests; a duplicate would be answered twice.
        guard !requests.contains(where: { $0.context == context }) else { return }
        requests.append(Request(index: index, from: from, context: context, acks: [selfID]))
    }

    /// Records `from`'s heartbeat acknowledgement of `context` and returns the requests that
    /// are now confirmed: the acknowledged one and every older one.
    mutating func acknowledge(context: [UInt8], from: NodeID, hasQuorum: (Set<NodeID>) -> Bool) -> [Request] {
        guard let position = requests.firstIndex(where: { $0.context == context }) else { return [] }
        requests[position].acks.insert(from)
        guard hasQuorum(requests[position].acks) else { return [] }
        let released = Array(requests[...position])
        requests.removeSubrange(...position)
        return released
    }

    mutating func reset() { requests = [] }
}
