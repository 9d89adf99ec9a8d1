import ColmeiaModel
import Foundation
import Testing
@testable import ColmeiaStore

@Suite struct ClusterStoreApplyTests {
    @Test("the migrations folder ships with the store, numbered and in order")
    func migrationFilesAreBundled() throws {
        let files = try StoreMigrations.files()
        #expect(files.first?.identifier == "0001_read_models")
        #expect(files.map(\.identifier) == files.map(\.identifier).sorted())
    }

    @Test("applying the same log into two fresh databases gives byte-identical answers")
    func applyIsDeterministic() throws {
        var factory = CommandFactory()
        let log = factory.sampleLog()
        var dumps: [String] = []
        for _ in 0..<2 {
            let path = temporaryPath()
            defer { removeStore(path) }
            let store = try ClusterStore(path: path)
            for (offset, command) in log.enumerated() {
                // Round-trip through the log encoding, as a follower would see it.
                let decoded = try ClusterCommand(encoded: command.encoded())
                _ = try store.apply(decoded, index: UInt64(offset + 1), term: 1)
            }
            dumps.append(try dump(store))
        }
        #expect(dumps[0] == dumps[1])
        #expect(dumps[0].contains("service.created"))
    }

    @Test("objects carry the raft index as Version.Index and the command's time")
    func versionIsTheRaftIndex() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        let create = factory.createService(CommandFactory.service("svc1", name: "web"))
        #expect(try store.apply(create, index: 1, term: 1) == .applied(index: 1))
        let service = try store.get(Service.self, "web")
        #expect(service.version.index == 1)
        #expect(service.createdAt == create.envelope.time)

        var changed = service
        changed.spec.mode = .replicated(4)
        let update = ClusterCommand(envelope: factory.envelope(),
                                    preconditions: [.objectVersion(kind: .service, id: "svc1", index: 1)],
                                    events: [.serviceUpdated(changed)])
        #expect(try store.apply(update, index: 2, term: 1) == .applied(index: 2))
        let after = try store.get(Service.self, "svc1")
        #expect(after.version.index == 2)
        #expect(after.createdAt == create.envelope.time, "an update keeps the creation time")
        #expect(after.updatedAt == update.envelope.time)
    }

    @Test("a task keeps when it started running; the audit patch that records it replays")
    func startedRunningAt() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        _ = try store.apply(factory.createService(CommandFactory.service("svc1", name: "web")), index: 1, term: 1)
        _ = try store.apply(ClusterCommand(envelope: factory.envelope(), events: [
            .taskCreated(CommandFactory.task("t1", service: "svc1", slot: 1, node: "n1", state: .starting))]), index: 2, term: 1)
        #expect(try store.get(SwarmTask.self, "t1").startedRunningAt == nil)
        let running = Timestamp(seconds: 1_700_000_100)
        _ = try store.apply(ClusterCommand(envelope: factory.envelope(), events: [
            .taskStatusChanged(taskID: "t1", status: TaskStatus(timestamp: running, state: .running))]), index: 3, term: 1)
        #expect(try store.get(SwarmTask.self, "t1").startedRunningAt == running)
        _ = try store.apply(ClusterCommand(envelope: factory.envelope(), events: [
            .taskStatusChanged(taskID: "t1", status: TaskStatus(timestamp: Timestamp(seconds: 1_700_000_200), state: .failed))]),
            index: 4, term: 1)
        let failed = try store.get(SwarmTask.self, "t1")
        #expect(failed.status.state == .failed)
        #expect(failed.startedRunningAt == running, "only the move into running sets it")

        let records = try store.audit(AuditQuery(objectKind: .task, objectID: "t1", limit: 10)).records
        let created = try #require(records.first { $0.type == "task.created" })
        let started = try #require(records.first { $0.index == 3 })
        let patch = try JSONDecoder().decode(JSONPatch.self, from: Data(try #require(started.patch).utf8))
        #expect(try patch.apply(to: try JSONDecoder().decode(JSONValue.self, from: Data(created.payload.utf8)))
            == (try JSONDecoder().decode(JSONValue.self, from: Data(started.payload.utf8))))
    }

    @Test("a failed precondition rejects the whole command and changes nothing")
    func preconditionRejectsWholeCommand() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        _ = try store.apply(factory.createService(CommandFactory.service("svc1", name: "web")), index: 1, term: 1)
        let before = try dump(store)

        // A stale version: the classic `update out of sequence`, with a second event that
        // must not land either.
        let stale = ClusterCommand(
            envelope: factory.envelope(),
            preconditions: [.objectVersion(kind: .service, id: "svc1", index: 99)],
            events: [.serviceUpdated(CommandFactory.service("svc1", name: "web", replicas: 9)),
                     .serviceCreated(CommandFactory.service("svc9", name: "other"))])
        #expect(try store.apply(stale, index: 2, term: 1) == .rejected(index: 2, reason: "update out of sequence"))

        // An event-level failure midway (the second event updates a missing object) rolls back
        // the first event too.
        let half = ClusterCommand(envelope: factory.envelope(), events: [
            .serviceCreated(CommandFactory.service("svc5", name: "five")),
            .serviceUpdated(CommandFactory.service("missing", name: "ghost")),
        ])
        #expect(try store.apply(half, index: 3, term: 1) == .rejected(index: 3, reason: "service missing not found"))

        // A name taken without a precondition trips the unique index, deterministically.
        let clash = ClusterCommand(envelope: factory.envelope(), events: [.serviceCreated(CommandFactory.service("svc7", name: "web"))])
        guard case .rejected(_, let reason) = try store.apply(clash, index: 4, term: 1) else {
            Issue.record("a duplicate name must be rejected")
            return
        }
        #expect(reason.contains("name conflicts with an existing object"))

        let after = try dump(store)
        #expect(after.replacingOccurrences(of: "applied=4", with: "applied=1") == before)
        #expect(store.applied.index == 4, "rejected commands still advance the applied index")
    }

    @Test("an index already applied is skipped and a gap is refused")
    func applyIsExactlyOncePerIndex() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        let create = factory.createService(CommandFactory.service("svc1", name: "web"))
        #expect(try store.apply(create, index: 1, term: 1) == .applied(index: 1))
        #expect(try store.apply(create, index: 1, term: 1) == .alreadyApplied(index: 1))
        #expect(throws: StoreError.self) {
            try store.apply(factory.createService(CommandFactory.service("svc2", name: "api")), index: 5, term: 1)
        }
        #expect(try store.audit(AuditQuery()).records.count == 1)
    }

    @Test("the audit trail records every event with its actor and redacts secret data")
    func auditTrail() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        let log = factory.sampleLog()
        for (offset, command) in log.enumerated() { _ = try store.apply(command, index: UInt64(offset + 1), term: 2) }

        let all = try store.audit(AuditQuery(limit: 1_000)).records
        #expect(all.count == 10, "node, 2 services, 3 tasks, secret, update, status, removal; the rejected command is absent")
        #expect(!all.contains { $0.payload.contains(Data("hunter2".utf8).base64EncodedString()) })
        #expect(all.first { $0.type == "secret.created" } != nil)

        #expect(all.map(\.index) == all.map(\.index).sorted())
        let byOrchestrator = try store.audit(AuditQuery(actorID: "orchestrator")).records
        #expect(byOrchestrator.map(\.type) == ["task.created", "task.created", "task.created"])
        let web = try store.audit(AuditQuery(objectKind: .service, objectID: "svc1")).records
        #expect(web.map(\.type) == ["service.created", "service.updated"])
        let removals = try store.audit(AuditQuery(type: "service.removed")).records
        #expect(removals.map(\.objectID) == ["svc2"])

        // Time range and pagination.
        let firstTime = try #require(all.first?.time)
        let lastTime = try #require(all.last?.time)
        #expect(try store.audit(AuditQuery(since: lastTime)).records.allSatisfy { $0.time == lastTime })
        #expect(try store.audit(AuditQuery(until: firstTime)).records.count == 1)
        var pages: [[AuditRecord]] = []
        var query = AuditQuery(limit: 3)
        while true {
            let page = try store.audit(query)
            pages.append(page.records)
            guard let next = page.next else { break }
            query.after = next
        }
        #expect(pages.flatMap { $0 } == all)
        #expect(pages.count == 4)
    }
}
