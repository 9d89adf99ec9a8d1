import ColmeiaModel
import Foundation
import GRDB
import Testing
@testable import ColmeiaStore

@Suite struct AuditTrailTests {
    /// The sample log applied at indexes 1…n.
    private func sampleStore() throws -> (ClusterStore, [ClusterCommand]) {
        let store = try ClusterStore(path: temporaryPath())
        var factory = CommandFactory()
        let log = factory.sampleLog()
        for (offset, command) in log.enumerated() { _ = try store.apply(command, index: UInt64(offset + 1), term: 1) }
        return (store, log)
    }

    /// `count` updates of one service's replica count, after the sample log.
    private func scale(_ store: ClusterStore, times count: Int, factory: inout CommandFactory) throws {
        for _ in 0..<count {
            var service = try store.get(Service.self, "svc1")
            service.spec.mode = .replicated((service.spec.mode.replicated?.replicas ?? 0) + 1)
            let index = store.applied.index + 1
            let outcome = try store.apply(ClusterCommand(envelope: factory.envelope(actor: "bob"),
                                                         preconditions: [.objectVersion(kind: .service, id: "svc1", index: service.version.index)],
                                                         events: [.serviceUpdated(service)]), index: index, term: 1)
            #expect(outcome == .applied(index: index))
        }
    }

    @Test("an update's audit row carries the JSON Patch from the previous version, its name and service")
    func updateRecordsCarryPatches() throws {
        let (store, _) = try sampleStore()
        defer { removeStore(store.path) }
        let update = try #require(store.audit(AuditQuery(type: "service.updated")).records.first)
        #expect(update.objectName == "web")
        #expect(update.serviceID == "svc1")
        let patch = try JSONDecoder().decode(JSONPatch.self, from: Data(try #require(update.patch).utf8))
        #expect(patch.operations.contains(JSONPatch.Operation(op: .replace, path: "/Spec/Mode/Replicated/Replicas", value: 5)))
        #expect(patch.operations.contains(JSONPatch.Operation(op: .add, path: "/Spec/Labels/rev", value: "2")))
        #expect(patch.operations.contains(JSONPatch.Operation(op: .replace, path: "/Version/Index", value: 6)))
        // The patch takes the previous payload to this one.
        let created = try #require(store.audit(AuditQuery(objectID: "svc1", type: "service.created")).records.first)
        let before = try JSONDecoder().decode(JSONValue.self, from: Data(created.payload.utf8))
        let after = try JSONDecoder().decode(JSONValue.self, from: Data(update.payload.utf8))
        #expect(try patch.apply(to: before) == after)

        // A task's status change: the members it set, and the task's service.
        let status = try #require(store.audit(AuditQuery(type: "task.status_changed")).records.first)
        #expect(status.serviceID == "svc1")
        #expect(status.patch?.contains("\"path\":\"/Status\"") == true)
        // The removal keeps the name the service had.
        let removal = try #require(store.audit(AuditQuery(type: "service.removed")).records.first)
        #expect(removal.objectName == "api")
        // The service filter finds the service and its tasks.
        let web = try store.audit(AuditQuery(serviceID: "svc1", limit: 100)).records
        #expect(Set(web.map(\.objectKind)) == [.service, .task])
        #expect(web.count == 6)
    }

    @Test("the chain verifies, is the same on two stores that applied the same log, and names an altered row")
    func chainNamesAlteredRow() throws {
        let (first, _) = try sampleStore()
        let (second, _) = try sampleStore()
        defer { removeStore(first.path); removeStore(second.path) }
        let a = try first.verifyAuditTrail()
        let b = try second.verifyAuditTrail()
        #expect(a.isValid, "\(a.reason ?? "")")
        #expect(a.headHash == b.headHash)
        #expect(a.records == Int64(try first.audit(AuditQuery(limit: 1_000)).records.count))

        let target = try #require(first.audit(AuditQuery(type: "service.updated")).records.first)
        let database = try DatabaseQueue(path: first.path)
        try database.write { db in
            try db.execute(sql: "UPDATE audit_events SET actor_id = 'mallory' WHERE raft_index = ? AND ordinal = ?",
                           arguments: [Int64(target.index), target.ordinal])
        }
        try database.close()
        let tampered = try first.verifyAuditTrail()
        #expect(tampered.broken == .init(index: target.index, ordinal: target.ordinal))
    }

    @Test("retention moves old records to checksummed segments; queries, reads as of an index and verify still reach them")
    func retentionArchivesAndStillAnswers() throws {
        let (store, _) = try sampleStore()
        defer { removeStore(store.path) }
        var factory = CommandFactory(clock: 1_800_000_000)
        try scale(store, times: 300, factory: &factory)
        let headBefore = try store.auditChainState().headHash
        let servicesAt100 = try dump(store.asOf(index: 100))
        let allBefore = try store.audit(AuditQuery(limit: 10_000)).records

        let run = try store.applyRetention(AuditRetention(maxRecords: 50, segmentRecords: 40))
        #expect(run.movedRecords > 200)
        #expect(run.segmentsWritten >= 5)
        let hot = try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_events") ?? 0 }
        #expect(hot <= 50 + 16, "state.db keeps at most the policy's records plus the margin")

        // Same chain head, still valid, archive included.
        let verification = try store.verifyAuditTrail()
        #expect(verification.isValid, "\(verification.reason ?? "")")
        #expect(verification.headHash == headBefore)
        #expect(verification.archivedRecords == Int64(run.movedRecords))
        // Queries reach into the archive, in both orders, with a cursor.
        var collected: [AuditRecord] = []
        var query = AuditQuery(limit: 37)
        while true {
            let page = try store.auditRecords(query)
            collected += page.records
            guard let next = page.next else { break }
            query.after = next
        }
        #expect(collected.map(\.cursor) == allBefore.map(\.cursor))
        #expect(collected.map(\.hash) == allBefore.map(\.hash))
        let newest = try store.auditRecords(AuditQuery(descending: true, limit: 10_000)).records
        #expect(newest.map(\.cursor) == allBefore.reversed().map(\.cursor))
        let bob = try store.auditRecords(AuditQuery(toIndex: 60, actorID: "bob", limit: 10_000)).records
        #expect(bob.count == 51, "indexes 10…60")
        // A read as of an archived index is the same as before the move.
        store.historical.removeAll()
        #expect(try dump(store.asOf(index: 100)) == servicesAt100)

        // One flipped byte in a segment: verify names the block's first record.
        let segment = try #require(store.archive.segments().dropFirst(2).first)
        let path = store.archive.directory + "/" + segment.file
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        let damaged = try store.verifyAuditTrail()
        let broken = try #require(damaged.broken)
        #expect(broken.index >= segment.firstIndex && broken.index <= segment.lastIndex)
        #expect(damaged.reason?.contains(segment.file) == true)
    }

    @Test("a manager that archived a token's creation writes the same removal row, and chain head, as one that did not")
    func retentionKeepsApplyDeterministic() throws {
        var heads: [[UInt8]] = []
        for archives in [false, true] {
            let store = try ClusterStore(path: temporaryPath())
            defer { removeStore(store.path) }
            var factory = CommandFactory()
            var index: UInt64 = 0
            func apply(_ command: ClusterCommand) throws {
                index += 1
                _ = try store.apply(command, index: index, term: 1)
            }
            try apply(ClusterCommand(envelope: factory.envelope(), events: [.tokenCreated(AccessToken(
                id: "tok1", spec: AccessTokenSpec(name: "ci", role: .deployer), secretHash: "h"))]))
            try apply(factory.createService(CommandFactory.service("svc1", name: "web")))
            for number in 0..<40 {
                try apply(ClusterCommand(envelope: factory.envelope(), events: [.configCreated(Config(
                    id: "cfg\(number)", spec: ConfigSpec(name: "c\(number)", data: Data("x".utf8))))]))
            }
            if archives {
                let run = try store.applyRetention(AuditRetention(maxRecords: 5, segmentRecords: 10))
                #expect(run.movedRecords > 0)
                #expect(try store.audit(AuditQuery(objectID: "tok1")).records.isEmpty, "the token's creation left state.db")
            }
            try apply(ClusterCommand(envelope: factory.envelope(), events: [.tokenRemoved(id: "tok1")]))
            var service = try store.get(Service.self, "svc1")
            service.spec.mode = .replicated(2)
            try apply(ClusterCommand(envelope: factory.envelope(), events: [.serviceUpdated(service)]))
            let removal = try #require(store.audit(AuditQuery(type: "token.removed")).records.first)
            #expect(removal.objectName == "ci")
            heads.append(try store.auditChainState().headHash)
            #expect(try store.verifyAuditTrail().isValid)
        }
        #expect(heads[0] == heads[1])
    }

    @Test("a snapshot that does not reach this manager's archive sets the archive aside; the chain resumes at its checkpoint")
    func restoreAlignsTheArchive() throws {
        let (store, _) = try sampleStore()
        defer { removeStore(store.path) }
        let before = try store.snapshotData()
        var factory = CommandFactory(clock: 1_800_000_000)
        try scale(store, times: 100, factory: &factory)
        _ = try store.applyRetention(AuditRetention(maxRecords: 20, segmentRecords: 30))
        #expect(try !store.archive.segments().isEmpty)
        try store.restore(snapshotData: before)
        #expect(try store.archive.segments().isEmpty, "segments past the restored checkpoint are set aside")
        #expect(FileManager.default.fileExists(atPath: store.archive.directory + "/superseded"))
        let verification = try store.verifyAuditTrail()
        #expect(verification.isValid, "\(verification.reason ?? "")")
    }

    @Test("rows written before the chain existed are linked when the store opens")
    func oldRowsAreLinkedAtOpen() throws {
        let (store, _) = try sampleStore()
        let path = store.path
        defer { removeStore(path) }
        let head = try store.auditChainState().headHash
        let database = try DatabaseQueue(path: path)
        try database.write { db in
            try db.execute(sql: "UPDATE audit_events SET hash = NULL")
            try db.execute(sql: "UPDATE audit_chain SET head_hash = zeroblob(32), head_count = 0, head_index = 0, head_ordinal = -1")
        }
        try database.close()
        let reopened = try ClusterStore(path: path)
        #expect(try reopened.auditChainState().headHash == head)
        #expect(try reopened.verifyAuditTrail().isValid)
    }

    @Test("a read as of an index beyond the log or a time before the trail is refused with the reason")
    func asOfRefusesOutOfRange() throws {
        let (store, _) = try sampleStore()
        defer { removeStore(store.path) }
        #expect(throws: QueryError.invalidArgument("index 99 is beyond the log (the last applied index is 9)")) {
            try store.asOf(index: 99)
        }
        #expect {
            try store.index(at: Timestamp(seconds: 1_000))
        } throws: { error in
            (error as? QueryError)?.description.contains("before the first record of the audit trail") == true
        }
        // The state as of index 3: two services, no tasks yet, no secret.
        let early = try store.asOf(index: 3)
        #expect(try early.list(Service.self).map(\.spec.name).sorted() == ["api", "web"])
        #expect(try early.list(SwarmTask.self).isEmpty)
        #expect(try store.asOf(index: 9).list(Service.self).map(\.spec.name) == ["web"])
    }
}
