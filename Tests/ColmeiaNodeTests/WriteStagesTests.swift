import ColmeiaModel
import ColmeiaRaft
import Foundation
import Testing
@testable import ColmeiaNode

/// The per-stage trace of a write (`GET /colmeia/v1/trace`): what each manager records, in
/// which order, and how much of it it keeps.
@Suite(.serialized) struct WriteStagesTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-stages-\(UUID().uuidString)"

    @Test("a write through a follower is traced on every manager, each stage in the order the write went through it")
    func forwardedWriteStagesInOrder() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try WriteOutcomeTests.Cluster(directory: directory, proposalTimeout: .seconds(30))
        defer { cluster.stop() }
        let leader = try await cluster.agreedLeader()
        let proposer = try #require(cluster.drivers.keys.filter { $0 != leader }.min())
        let other = try #require(cluster.drivers.keys.filter { $0 != leader && $0 != proposer }.first)
        let proposing = try cluster.driver(proposer)
        let payload = try WriteOutcomeTests.create()
        guard case .success(.applied(let index)) = await proposing.propose(payload) else {
            Issue.record("the write was not applied")
            return
        }
        try await cluster.converged()
        func stages(_ node: NodeID) throws -> WriteStages {
            try #require(try cluster.driver(node).stages.entries(after: index - 1).first { $0.index == index },
                         "node \(node) has no stages for index \(index)")
        }

        let own = try stages(proposer)
        let queued = try #require(own.queued), proposed = try #require(own.proposed), received = try #require(own.received)
        let persisted = try #require(own.persisted), committed = try #require(own.committed)
        let applied = try #require(own.applied), answered = try #require(own.answered)
        #expect(queued <= proposed && proposed <= received && received <= persisted)
        #expect(persisted <= committed && committed <= applied && applied <= answered)
        #expect(own.sent == nil, "a follower sends no appends")

        let leading = try stages(leader)
        let appended = try #require(leading.appended), sent = try #require(leading.sent)
        let leaderPersisted = try #require(leading.persisted), leaderCommitted = try #require(leading.committed)
        let leaderApplied = try #require(leading.applied)
        #expect(leading.queued == nil && leading.answered == nil && leading.received == nil,
                "the leader neither proposed nor received the write: it came as a forwarded proposal")
        #expect(appended <= sent && appended <= leaderPersisted)
        #expect(sent <= leaderPersisted, "the leader's appends leave before its own fsync ends")
        #expect(leaderPersisted <= leaderCommitted && leaderCommitted <= leaderApplied)
        #expect(sent <= received, "the proposer got the entry from the leader's appends")

        let witness = try stages(other)
        #expect(witness.queued == nil && witness.answered == nil)
        let witnessReceived = try #require(witness.received), witnessPersisted = try #require(witness.persisted)
        let witnessCommitted = try #require(witness.committed), witnessApplied = try #require(witness.applied)
        #expect(witnessReceived <= witnessPersisted && witnessCommitted <= witnessApplied)
    }

    @Test("the stage log keeps the newest entries only, and ignores entries far behind them")
    func stageLogIsBounded() {
        let log = WriteStageLog(capacity: 4)
        for index: UInt64 in 1...1_000 { log.record(.appended, CollectionOfOne(index)) }
        let kept = log.entries(after: 0).map(\.index)
        #expect(kept.count <= 8)
        #expect(Array(kept.suffix(4)) == [997, 998, 999, 1_000])
        log.record(.applied, CollectionOfOne(1))
        #expect(!log.entries(after: 0).contains { $0.index == 1 })
        // An index from a peer's message is recorded before Raft judges it: one at the very
        // end of the range must not overflow the bookkeeping.
        log.record(.received, [UInt64.max - 1, UInt64.max])
        log.record(.appended, [UInt64.max - 2])
        #expect(log.entries(after: UInt64.max - 3).map(\.index) == [UInt64.max - 2, UInt64.max - 1, UInt64.max])
        // A proposer's own write joins its queued time to its index when it is answered.
        let fresh = WriteStageLog(capacity: 4)
        for sequence: UInt64 in 1...100 { fresh.queued(sequence) }
        fresh.answered([(index: 1_001, sequence: 100)])
        #expect(fresh.entries(after: 1_000).first?.queued != nil)
    }
}
