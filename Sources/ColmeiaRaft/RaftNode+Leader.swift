extension RaftNode {
    mutating func stepLeader(_ message: Message) -> RaftError? {
        switch message.type {
        case .localBeat:
            broadcastHeartbeat()
        case .propose:
            return leaderPropose(message)
        case .readIndex:
            leaderReadIndex(message)
        case .transferLeader:
            leaderTransfer(to: message.from)
        case .appendResponse:
            handleAppendResponse(message)
        case .heartbeatResponse:
            handleHeartbeatResponse(message)
        case .localSnapshotStatus:
            guard tracker.progress[message.from]?.state == .snapshot else { return nil }
            // Success or not, probe next: the follower's answer tells where it stands.
            tracker.progress[message.from]?.becomeProbe()
            // Wait for the next heartbeat before probing (the transport just failed or
            // the follower is still installing).
            tracker.progress[message.from]?.probeSent = true
        case .localUnreachable:
            if tracker.progress[message.from]?.state == .replicate {
                tracker.progress[message.from]?.becomeProbe()
            }
        default:
            break
        }
        return nil
    }

    private mutating func leaderPropose(_ message: Message) -> RaftError? {
        guard !message.entries.isEmpty else { return .proposalDropped(reason: "empty proposal") }
        guard tracker.isVoter(id) else {
            return .proposalDropped(reason: "this node was removed from the cluster")
        }
        guard leadTransferee == 0 else {
            return .proposalDropped(reason: "leadership is being transferred to \(leadTransferee)")
        }
        var entries = message.entries
        for position in entries.indices where entries[position].kind == .confChange {
            guard let change = ConfChange(encoded: entries[position].data) else {
                return .proposalDropped(reason: "undecodable membership change")
            }
            if pendingConfIndex > log.applied {
                // Keep the slot in the log but make it inert, as etcd/raft does, so the
                // batch's other entries keep their positions.
                if message.from == id { return .confChangePending(index: pendingConfIndex) }
                entries[position] = Entry(term: 0, index: 0)
                continue
            }
            do throws(RaftError) {
                try validate(change)
            } catch {
                if message.from == id { return error }
                entries[position] = Entry(term: 0, index: 0)
                continue
            }
            pendingConfIndex = log.lastIndex + UInt64(position) + 1
        }
        appendEntries(entries)
        broadcastAppend()
        return nil
    }

    /// Appends entries at the tail in the current term and counts our own copy.
    mutating func appendEntries(_ entries: [Entry]) {
        var next = log.lastIndex + 1
        var stamped: [Entry] = []
        stamped.reserveCapacity(entries.count)
        for var entry in entries {
            entry.term = term
            entry.index = next
            next += 1
            stamped.append(entry)
        }
        let last = log.append(stamped)
        _ = tracker.progress[id]?.maybeUpdate(last)
        _ = maybeCommit()
    }

    /// Advances the commit index to the highest index stored on a majority, but only when
    /// that entry is of the current term (Raft §5.4.2).
    mutating func maybeCommit() -> Bool {
        let candidate = tracker.committedIndex()
        guard candidate > log.committed, log.term(at: candidate) == term else { return false }
        log.commit(to: candidate)
        releaseDeferredReadIndex()
        return true
    }

    // MARK: Replication

    mutating func broadcastAppend() {
        for peer in tracker.progress.keys.sorted() where peer != id {
            sendAppend(to: peer)
        }
    }

    /// Sends the entries `peer` is missing (or a snapshot when they are compacted away).
    /// Returns whether anything was sent.
    @discardableResult
    mutating func sendAppend(to peer: NodeID, sendIfEmpty: Bool = true) -> Bool {
        guard var progress = tracker.progress[peer], !progress.isPaused else { return false }
        defer { tracker.progress[peer] = progress }
        let previousIndex = progress.next - 1
        guard let previousTerm = log.term(at: previousIndex),
              let entries = log.entries(from: progress.next, maxBytes: config.maxBytesPerMessage)
        else {
            // What the follower needs is compacted: send the snapshot (§7).
            guard progress.recentActive, let snapshot = log.snapshot, !snapshot.isEmpty else { return false }
            send(Message(type: .snapshot, to: peer, snapshot: snapshot))
            progress.becomeSnapshot(at: snapshot.metadata.index)
            return true
        }
        if entries.isEmpty && !sendIfEmpty { return false }
        send(Message(type: .append, to: peer, logTerm: previousTerm, index: previousIndex,
                     entries: entries, commit: log.committed))
        progress.sentEntries(last: entries.last?.index ?? previousIndex)
        return true
    }

    mutating func broadcastHeartbeat() {
        let context = readIndexQueue.lastContext ?? []
        for peer in tracker.progress.keys.sorted() where peer != id {
            sendHeartbeat(to: peer, context: context)
        }
    }

    private mutating func sendHeartbeat(to peer: NodeID, context: [UInt8]) {
        // Never commit beyond what the follower is known to match: its tail may still be
        // a stale suffix from an old term.
        let commit = min(tracker.progress[peer]?.match ?? 0, log.committed)
        send(Message(type: .heartbeat, to: peer, commit: commit, context: context))
    }

    private mutating func handleAppendResponse(_ message: Message) {
        guard var progress = tracker.progress[message.from] else { return }
        progress.recentActive = true
        if message.reject {
            // §5.3: back up and retry; the hint skips a whole divergent term at once.
            var probeHint = message.rejectHint
            if message.logTerm > 0 {
                probeHint = log.findConflictByTerm(index: message.rejectHint, term: message.logTerm)
            }
            let previousNext = progress.next
            if progress.maybeDecrease(rejected: message.index, hint: probeHint) {
                if progress.state == .replicate { progress.becomeProbe() }
                if progress.state == .probe && progress.next == previousNext {
                    // The follower rejects below what it once acknowledged: it lost data it
                    // had synced. Nothing safe can be sent; retry at heartbeat pace instead
                    // of ping-ponging.
                    progress.probeSent = true
                    tracker.progress[message.from] = progress
                    return
                }
                tracker.progress[message.from] = progress
                sendAppend(to: message.from)
            } else {
                tracker.progress[message.from] = progress
            }
            return
        }
        guard message.index <= log.lastIndex else {
            // Acknowledging entries we never had: a broken or hostile peer.
            tracker.progress[message.from] = progress
            return
        }
        let wasPaused = progress.isPaused
        guard progress.maybeUpdate(message.index) else {
            tracker.progress[message.from] = progress
            return
        }
        switch progress.state {
        case .probe:
            progress.becomeReplicate()
        case .snapshot where progress.match >= progress.pendingSnapshot:
            progress.becomeProbe()
            progress.becomeReplicate()
        case .replicate:
            progress.inflights.free(upTo: message.index)
        case .snapshot:
            break
        }
        tracker.progress[message.from] = progress
        if maybeCommit() {
            broadcastAppend()
        } else if wasPaused {
            sendAppend(to: message.from)
        }
        // Keep the pipeline full while there is more to send.
        while sendAppend(to: message.from, sendIfEmpty: false) {}
        if message.from == leadTransferee, tracker.progress[message.from]?.match == log.lastIndex {
            send(Message(type: .timeoutNow, to: message.from))
        }
    }

    private mutating func handleHeartbeatResponse(_ message: Message) {
        guard var progress = tracker.progress[message.from] else { return }
        progress.recentActive = true
        progress.probeSent = false
        if progress.state == .replicate && progress.inflights.isFull {
            // A lost append would otherwise stall the pipeline forever.
            progress.inflights.freeFirst()
        }
        let behind = progress.match < log.lastIndex
        tracker.progress[message.from] = progress
        if behind { sendAppend(to: message.from) }

        guard !message.context.isEmpty else { return }
        let confirmed = readIndexQueue.acknowledge(context: message.context, from: message.from) { acks in
            tracker.hasQuorum(acks)
        }
        for request in confirmed { answerReadIndex(index: request.index, from: request.from, context: request.context) }
    }

    // MARK: Read index (thesis §6.4)

    private mutating func leaderReadIndex(_ message: Message) {
        if tracker.voters.count <= 1 {
            answerReadIndex(index: log.committed, from: message.from, context: message.context)
            return
        }
        guard log.term(at: log.committed) == term else {
            // Our commit index may lag the previous leader's; wait for our first commit.
            deferredReadIndex.append(message)
            return
        }
        readIndexQueue.add(index: log.committed, from: message.from, context: message.context, selfID: id)
        for peer in tracker.progress.keys.sorted() where peer != id {
            sendHeartbeat(to: peer, context: message.context)
        }
    }

    private mutating func releaseDeferredReadIndex() {
        guard !deferredReadIndex.isEmpty else { return }
        let waiting = deferredReadIndex
        deferredReadIndex = []
        for request in waiting { leaderReadIndex(request) }
    }

    private mutating func answerReadIndex(index: UInt64, from requester: NodeID, context: [UInt8]) {
        if requester == id {
            readStates.append(ReadState(index: index, context: context))
        } else {
            send(Message(type: .readIndexResponse, to: requester, index: index, context: context))
        }
    }

    // MARK: Leadership transfer (thesis §3.10)

    private mutating func leaderTransfer(to target: NodeID) {
        guard target != id, tracker.isVoter(target), tracker.progress[target] != nil else { return }
        guard leadTransferee != target else { return }
        leadTransferee = target
        // The transfer must finish within an election timeout or it is abandoned.
        electionElapsed = 0
        if tracker.progress[target]?.match == log.lastIndex {
            send(Message(type: .timeoutNow, to: target))
        } else {
            sendAppend(to: target)
        }
    }
}
