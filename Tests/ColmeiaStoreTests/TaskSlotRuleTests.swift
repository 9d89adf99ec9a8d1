import ColmeiaModel
import Foundation
import Testing
@testable import ColmeiaStore

/// Apply's uniqueness rule of task slots: one wanted task of a spec per place.
@Suite struct TaskSlotRuleTests {
    static func task(_ id: String, slot: Int, node: String = "", image: String = "nginx:alpine",
                     desired: TaskState = .running, registryAuth: String? = nil) -> SwarmTask {
        var task = CommandFactory.task(id, service: "svc1", slot: slot, node: node, state: .new)
        task.desiredState = desired
        task.spec.containerSpec?.image = image
        task.spec.containerSpec?.pullOptions = registryAuth.map { .init(registryAuth: $0) }
        return task
    }

    /// A store holding service svc1 and its task t1 in slot 1, sealing as a manager does.
    static func store(_ path: String) throws -> (ClusterStore, CommandFactory) {
        let store = try ClusterStore(path: path, sealer: try FieldSealer(dataKey: [UInt8](repeating: 7, count: 32)))
        var factory = CommandFactory()
        _ = try store.apply(factory.createService(CommandFactory.service("svc1", name: "web")), index: 1, term: 1)
        _ = try store.apply(ClusterCommand(envelope: factory.envelope(actor: "orchestrator"), events: [
            .taskCreated(task("t1", slot: 1, registryAuth: "c2VjcmV0")),
        ]), index: 2, term: 1)
        return (store, factory)
    }

    @Test("a second wanted task of the same spec in a slot is rejected whole, with words naming both tasks and the slot")
    func duplicateInSlotIsRejected() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        var (store, factory) = try Self.store(path)
        // What a second orchestrator with an older view sends: a copy for slot 1, and a new slot 2.
        let duplicate = ClusterCommand(envelope: factory.envelope(actor: "orchestrator"), events: [
            .taskCreated(Self.task("t2", slot: 2)),
            .taskCreated(Self.task("t1b", slot: 1, registryAuth: "c2VjcmV0")),
        ])
        let outcome = try store.apply(duplicate, index: 3, term: 2)
        #expect(outcome == .rejected(index: 3, reason: "task t1b would duplicate task t1 of service svc1 in slot 1: a place holds one wanted task of a spec"))
        #expect(try store.list(SwarmTask.self).map(\.id) == ["t1"], "nothing of the command landed")
    }

    @Test("a start-first update's new spec, a replacement after a shutdown in the same command, and another slot are allowed")
    func legitimateSharesAreAllowed() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        var (store, factory) = try Self.store(path)
        let startFirst = ClusterCommand(envelope: factory.envelope(actor: "orchestrator"), events: [
            .taskCreated(Self.task("t1-v2", slot: 1, image: "nginx:1.27-alpine")),
            .taskCreated(Self.task("t2", slot: 2)),
        ])
        #expect(try store.apply(startFirst, index: 3, term: 1) == .applied(index: 3))
        let restart = ClusterCommand(envelope: factory.envelope(actor: "orchestrator"), events: [
            .taskDesiredStateChanged(taskID: "t2", desiredState: .shutdown),
            .taskCreated(Self.task("t2b", slot: 2)),
        ])
        #expect(try store.apply(restart, index: 4, term: 1) == .applied(index: 4))
        #expect(try store.list(SwarmTask.self).map(\.id) == ["t1", "t1-v2", "t2", "t2b"])
    }

    @Test("a global service's place is its node: a second wanted task of the spec on a node is rejected, another node is not")
    func globalPlaceIsTheNode() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        var (store, factory) = try Self.store(path)
        let first = ClusterCommand(envelope: factory.envelope(actor: "orchestrator"), events: [
            .taskCreated(Self.task("g1", slot: 0, node: "node-a")), .taskCreated(Self.task("g2", slot: 0, node: "node-b")),
        ])
        #expect(try store.apply(first, index: 3, term: 1) == .applied(index: 3))
        let again = ClusterCommand(envelope: factory.envelope(actor: "orchestrator"), events: [
            .taskCreated(Self.task("g3", slot: 0, node: "node-a")),
        ])
        guard case .rejected(_, let reason) = try store.apply(again, index: 4, term: 1) else {
            Issue.record("a duplicate on node-a must be rejected")
            return
        }
        #expect(reason.contains("duplicate task g1") && reason.contains("on node node-a"))
    }
}
