import ColmeiaModel
import Foundation
import Testing
@testable import ColmeiaStore

@Suite struct ClusterStoreQueryTests {
    let path = temporaryPath()
    let store: ClusterStore

    init() throws {
        store = try ClusterStore(path: path)
        var factory = CommandFactory()
        let log = factory.sampleLog()
        for (offset, command) in log.enumerated() {
            _ = try store.apply(command, index: UInt64(offset + 1), term: 1)
        }
        _ = try store.apply(factory.createService(CommandFactory.service("svx0000001", name: "worker")),
                            index: UInt64(log.count + 1), term: 1)
    }

    @Test("Docker filters: id and name prefixes, labels, mode")
    func serviceFilters() throws {
        defer { removeStore(path) }
        #expect(try store.list(Service.self).map(\.spec.name) == ["web", "worker"])
        #expect(try store.list(Service.self, filters: Filters(["name": ["we"]])).map(\.id) == ["svc1"])
        #expect(try store.list(Service.self, filters: Filters(["id": ["svc"]])).map(\.id) == ["svc1"])
        #expect(try store.list(Service.self, filters: Filters(["label": ["tier=front"]])).count == 1)
        #expect(try store.list(Service.self, filters: Filters(["label": ["tier=back"]])).isEmpty)
        #expect(try store.list(Service.self, filters: Filters(["label": ["rev"]])).count == 1)
        #expect(try store.list(Service.self, filters: Filters(["mode": ["global"]])).isEmpty)
        #expect(try store.list(Service.self, filters: Filters(["mode": ["replicated"]])).count == 2)
        #expect(throws: QueryError.invalidFilter("colour")) {
            try store.list(Service.self, filters: Filters(["colour": ["red"]]))
        }
    }

    @Test("task filters by service name, node, desired state")
    func taskFilters() throws {
        defer { removeStore(path) }
        #expect(try store.list(SwarmTask.self, filters: Filters(["service": ["web"]])).count == 3)
        #expect(try store.list(SwarmTask.self, filters: Filters(["service": ["svc1"], "node": ["node1"]])).count == 3)
        #expect(try store.list(SwarmTask.self, filters: Filters(["node": ["manager-1"]])).count == 3,
                "a node is referenced by id or hostname")
        #expect(try store.list(SwarmTask.self, filters: Filters(["node": ["elsewhere"]])).isEmpty)
        #expect(try store.list(SwarmTask.self, filters: Filters(["desired-state": ["shutdown"]])).isEmpty)
        #expect(try store.list(Node.self, filters: Filters(["role": ["manager"], "node.label": ["az=a"]])).count == 1)
        #expect(try store.list(Node.self, filters: Filters(["membership": ["pending"]])).isEmpty)
        let failed = try store.get(SwarmTask.self, "task2")
        #expect(failed.status.state == .failed)
        #expect(failed.status.err == "task: non-zero exit (137)")
    }

    @Test("get by full id, name or unique prefix, with Docker's errors")
    func lookups() throws {
        defer { removeStore(path) }
        #expect(try store.get(Service.self, "svc1").spec.name == "web")
        #expect(try store.get(Service.self, "web").id == "svc1")
        #expect(try store.get(Service.self, "svc1").id == "svc1")
        #expect(try store.get(SwarmTask.self, "task3").slot == 3)
        #expect(throws: QueryError.ambiguous(kind: .task, reference: "task", matches: 3)) {
            try store.get(SwarmTask.self, "task")
        }
        #expect(throws: QueryError.notFound(kind: .service, reference: "nope")) {
            try store.get(Service.self, "nope")
        }
        #expect(QueryError.notFound(kind: .service, reference: "nope").httpStatus == 404)
    }

    @Test("filters arrive as Docker's JSON, in both forms")
    func filterJSON() throws {
        defer { removeStore(path) }
        #expect(try Filters(json: #"{"name":["web"]}"#)["name"] == ["web"])
        #expect(try Filters(json: #"{"name":{"web":true}}"#)["name"] == ["web"])
        #expect(throws: QueryError.self) { try Filters(json: "{not json") }
    }
}
