import ColmeiaModel
import Testing
@testable import ColmeiaManager

@Suite("Scheduler: filters, ranking and explanations")
struct SchedulerTests {
    func pending(_ count: Int, of service: Service, node: String = "") -> [SwarmTask] {
        (1...count).map { Fixture.task("t\($0)", of: service, slot: $0, node: node, state: .pending) }
    }

    @Test("only ready, active nodes take new tasks")
    func readiness() {
        let view = ClusterView(nodes: [
            Fixture.node("a", state: .down), Fixture.node("b", availability: .drain),
            Fixture.node("c", availability: .pause), Fixture.node("d"),
        ])
        let decision = Scheduler.schedule(pending(3, of: Fixture.service()), in: view)
        #expect(decision.assignments.map(\.node) == ["d", "d", "d"])
        #expect(decision.unschedulable.isEmpty)
    }

    @Test("constraints on id, hostname, role, platform, node and engine labels, with == and !=")
    func constraints() {
        let view = ClusterView(nodes: [
            Fixture.node("a", hostname: "alpha", role: "manager", labels: ["zone": "east"], engineLabels: ["disk": "ssd"]),
            Fixture.node("b", hostname: "beta", labels: ["zone": "west"]),
            Fixture.node("c", hostname: "gamma"),
        ])
        func place(_ constraints: [String]) -> Set<String> {
            let service = Fixture.service(template: Fixture.template(constraints: constraints))
            return Set(Scheduler.schedule(pending(6, of: service), in: view).assignments.map(\.node))
        }
        #expect(place(["node.id==b"]) == ["b"])
        #expect(place(["node.hostname==GAMMA"]) == ["c"])
        #expect(place(["node.role==manager"]) == ["a"])
        #expect(place(["node.role!=manager"]) == ["b", "c"])
        #expect(place(["node.labels.zone==west"]) == ["b"])
        #expect(place(["node.labels.zone!=east"]) == ["b", "c"])
        #expect(place(["engine.labels.disk==ssd"]) == ["a"])
        #expect(place(["node.platform.os==linux", "node.platform.arch==x86_64", "node.labels.zone==east"]) == ["a"])
        #expect(place(["node.labels.zone==north"]).isEmpty)
    }

    @Test("tasks that fit nowhere get Docker's message, counted per reason and ordered by count")
    func explanations() {
        let view = ClusterView(nodes: [
            Fixture.node("a", labels: ["zone": "east"]), Fixture.node("b"), Fixture.node("c"),
            Fixture.node("d", state: .down),
        ])
        let constrained = Fixture.service(template: Fixture.template(constraints: ["node.labels.zone==west"]))
        let decision = Scheduler.schedule(pending(1, of: constrained), in: view)
        #expect(decision.unschedulable.map(\.reason)
            == ["no suitable node (scheduling constraints not satisfied on 3 nodes; 1 node not available for new tasks)"])

        let single = ClusterView(nodes: [Fixture.node("a")])
        let one = Scheduler.schedule(pending(1, of: constrained), in: single)
        #expect(one.unschedulable.map(\.reason) == ["no suitable node (scheduling constraints not satisfied on 1 node)"])

        let big = Fixture.service(template: Fixture.template(memoryMB: 100 << 10))
        let tooBig = Scheduler.schedule(pending(1, of: big), in: single)
        #expect(tooBig.unschedulable.map(\.reason) == ["no suitable node (insufficient resources on 1 node)"])

        #expect(Scheduler.schedule(pending(1, of: Fixture.service()), in: ClusterView()).unschedulable.map(\.reason)
            == ["no suitable node"])
    }

    @Test("reservations count against capacity, including tasks already placed")
    func resources() {
        let view = ClusterView(nodes: [Fixture.node("a", cpus: 2), Fixture.node("b", cpus: 1)])
        let service = Fixture.service(template: Fixture.template(cpus: 1))
        let decision = Scheduler.schedule(pending(4, of: service), in: view)
        #expect(decision.assignments.count == 3)
        #expect(decision.assignments.filter { $0.node == "a" }.count == 2)
        #expect(decision.unschedulable.map(\.reason) == ["no suitable node (insufficient resources on 2 nodes)"])

        // A running task holds its reservation; an ended one does not.
        var busy = view
        busy.upsert(Fixture.task("old", of: service, node: "b"))
        busy.upsert(Fixture.task("done", of: service, node: "a", state: .failed))
        #expect(Scheduler.schedule(pending(3, of: service), in: busy).assignments.count == 2)
    }

    @Test("max replicas per node")
    func maxReplicas() {
        let view = ClusterView(nodes: [Fixture.node("a"), Fixture.node("b")])
        let service = Fixture.service(template: Fixture.template(maxReplicas: 1))
        let decision = Scheduler.schedule(pending(3, of: service), in: view)
        #expect(Set(decision.assignments.map(\.node)) == ["a", "b"])
        #expect(decision.unschedulable.map(\.reason) == ["no suitable node (max replicas per node limit exceed)"])
    }

    @Test("fewest tasks of the service first, then fewest tasks overall")
    func ranking() {
        let other = Fixture.service("other", name: "other")
        let web = Fixture.service()
        var view = ClusterView(nodes: [Fixture.node("a"), Fixture.node("b"), Fixture.node("c")])
        view.upsert(Fixture.task("o1", of: other, node: "a"))
        view.upsert(Fixture.task("o2", of: other, node: "a"))
        view.upsert(Fixture.task("o3", of: other, node: "b"))
        view.upsert(Fixture.task("w1", of: web, node: "c"))
        // c already has a web task; b has fewer tasks overall than a.
        let decision = Scheduler.schedule([Fixture.task("t", of: web, slot: 2, node: "", state: .pending)], in: view)
        #expect(decision.assignments.map(\.node) == ["b"])

        let spread = Scheduler.schedule(pending(6, of: Fixture.service("s2", name: "s2")), in: view)
        #expect(Dictionary(grouping: spread.assignments, by: \.node).mapValues(\.count) == ["a": 2, "b": 2, "c": 2])
    }

    @Test("spread preferences balance over label values before nodes")
    func spreadPreference() {
        let view = ClusterView(nodes: [
            Fixture.node("a1", labels: ["az": "a"]), Fixture.node("a2", labels: ["az": "a"]),
            Fixture.node("a3", labels: ["az": "a"]), Fixture.node("b1", labels: ["az": "b"]),
        ])
        let service = Fixture.service(template: Fixture.template(spread: ["node.labels.az"]))
        let decision = Scheduler.schedule(pending(4, of: service), in: view)
        let perZone = Dictionary(grouping: decision.assignments, by: { $0.node.hasPrefix("a") ? "a" : "b" }).mapValues(\.count)
        #expect(perZone == ["a": 2, "b": 2])
    }

    @Test("a global task is placed only on its own node")
    func preassigned() {
        let view = ClusterView(nodes: [Fixture.node("a"), Fixture.node("b", availability: .pause)])
        let service = Fixture.service(global: true)
        let decision = Scheduler.schedule([Fixture.task("g1", of: service, slot: 0, node: "a", state: .pending),
                                           Fixture.task("g2", of: service, slot: 0, node: "b", state: .pending)], in: view)
        #expect(decision.assignments.map(\.node) == ["a"])
        #expect(decision.unschedulable.map(\.reason) == ["no suitable node (1 node not available for new tasks)"])
    }

    @Test("two thousand tasks on two hundred nodes are decided in one call, evenly and deterministically")
    func batch() {
        let view = ClusterView(nodes: (0..<200).map { Fixture.node("n\($0)") })
        let tasks = pending(2_000, of: Fixture.service())
        let first = Scheduler.schedule(tasks, in: view)
        #expect(first.assignments.count == 2_000)
        #expect(Set(Dictionary(grouping: first.assignments, by: \.node).values.map(\.count)) == [10])
        #expect(first == Scheduler.schedule(tasks.reversed(), in: view))
    }
}
