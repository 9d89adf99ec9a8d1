extension RaftPersistentState {
    /// Disaster recovery (`--force-new-cluster`, etcd's `restartAsStandaloneNode`): the same
    /// log and state machine, with `id` as the only voter.
    ///
    /// Entries past the commit index are dropped (no quorum ever acknowledged them), then
    /// membership changes removing every other member (and adding `id` when it was not a
    /// voter) are appended in the current term and marked committed: no other node can vote
    /// them down, because no other node is a member any more. `appended` must be persisted
    /// before the node starts.
    ///
    /// ```swift
    /// let (state, appended) = recovered.forcingNewCluster(keeping: 7)
    /// try storage.persist(hardState: state.hardState, entries: appended, snapshot: nil)
    /// var node = try RaftNode(config: RaftConfig(id: 7), restoring: state)
    /// ```
    public func forcingNewCluster(keeping id: NodeID) -> (state: RaftPersistentState, appended: [Entry]) {
        var state = self
        let commit = hardState.commit
        state.entries.removeAll { $0.index > commit }
        // The membership as of the commit index, folded as a node replays its log.
        var membership = ProgressTracker(maxInflight: 1)
        if let snapshot { membership.setConfiguration(snapshot.metadata.confState) }
        for entry in state.entries where entry.kind == .confChange {
            if let change = ConfChange(encoded: entry.data) { membership.apply(change) }
        }
        let term = max(hardState.term, state.entries.last?.term ?? snapshot?.metadata.term ?? 0, 1)
        var index = state.entries.last?.index ?? snapshot?.metadata.index ?? 0
        var appended: [Entry] = []
        var changes = membership.members.subtracting([id]).sorted().map { ConfChange(.removeNode, nodeID: $0) }
        if !membership.isVoter(id) { changes.insert(ConfChange(.addNode, nodeID: id), at: 0) }
        for change in changes {
            index += 1
            appended.append(Entry(term: term, index: index, kind: .confChange, data: change.encoded()))
        }
        state.entries += appended
        state.hardState = HardState(term: term, vote: hardState.term == term ? hardState.vote : 0, commit: index)
        return (state, appended)
    }
}
