import ColmeiaModel
import Testing
@testable import ColmeiaManager

@Suite("Orchestrator: one reconcile pass over a cluster view")
struct OrchestratorTests {
    func plan(_ view: ClusterView, at seconds: Double = 100) -> ReconcilePlan {
        Orchestrator.plan(view, now: Fixture.at(seconds), newID: Fixture.ids())
    }

    func view(_ service: Service, _ tasks: [SwarmTask], nodes: [Node] = [Fixture.node("n1"), Fixture.node("n2")]) -> ClusterView {
        ClusterView(nodes: nodes, services: [service], tasks: tasks)
    }

    @Test("a new service gets one pending task per slot, named service.slot.id")
    func creates() {
        let plan = plan(view(Fixture.service(replicas: 3), []))
        #expect(plan.created.map(\.slot) == [1, 2, 3])
        #expect(plan.created.allSatisfy { $0.status.state == .pending && $0.desiredState == .running })
        #expect(plan.created.first?.name == "web.1.new1")
        // Every command about the service is conditioned on the version the pass read.
        #expect(plan.commands.allSatisfy { $0.preconditions == [.objectVersion(kind: .service, id: "svc", index: 10)] })
    }

    @Test("scaling up fills the missing slots; scaling down stops the highest ones")
    func scales() {
        let one = Fixture.service(replicas: 6)
        let running = [Fixture.task("a", of: one, slot: 1)]
        #expect(plan(view(one, running)).created.map(\.slot) == [2, 3, 4, 5, 6])

        let two = Fixture.service(replicas: 2)
        let six = (1...6).map { Fixture.task("t\($0)", of: two, slot: $0) }
        #expect(plan(view(two, six)).desired == ["t3": .shutdown, "t4": .shutdown, "t5": .shutdown, "t6": .shutdown])
        #expect(plan(view(two, six)).created.isEmpty)
    }

    @Test("pending tasks are assigned; unschedulable ones get the error once")
    func schedules() {
        let service = Fixture.service(replicas: 2)
        let tasks = [Fixture.task("p1", of: service, slot: 1, node: "", state: .pending),
                     Fixture.task("p2", of: service, slot: 2, node: "", state: .pending)]
        #expect(plan(view(service, tasks)).assigned == ["p1": "n1", "p2": "n2"])

        let constrained = Fixture.service(replicas: 1, template: Fixture.template(constraints: ["node.labels.zone==x"]))
        let stuck = [Fixture.task("p1", of: constrained, slot: 1, node: "", state: .pending)]
        let first = plan(view(constrained, stuck))
        let reason = "no suitable node (scheduling constraints not satisfied on 2 nodes)"
        #expect(first.events == [.taskStatusChanged(taskID: "p1", status: TaskStatus(
            timestamp: Fixture.at(100), state: .pending, message: "pending task scheduling", err: reason))])
        let again = [Fixture.task("p1", of: constrained, slot: 1, node: "", state: .pending, err: reason)]
        #expect(plan(view(constrained, again)).events.isEmpty)
    }

    @Test("a failed task is replaced in its slot after the restart delay")
    func restarts() {
        let service = Fixture.service(template: Fixture.template(restart: RestartPolicy(condition: .any, delay: 5_000_000_000)))
        let failed = [Fixture.task("f", of: service, state: .failed, at: Fixture.at(98), err: "task: non-zero exit (137)")]
        let early = plan(view(service, failed), at: 100)
        #expect(early.created.isEmpty)
        #expect(early.wakeAt == Fixture.at(103))
        let due = plan(view(service, failed), at: 103)
        #expect(due.desired == ["f": .shutdown])
        #expect(due.created.map(\.slot) == [1])
    }

    @Test("tasks on drained, down or removed nodes move; paused nodes keep theirs")
    func nodeAvailability() {
        let service = Fixture.service(replicas: 4)
        let tasks = [Fixture.task("a", of: service, slot: 1, node: "drained"),
                     Fixture.task("b", of: service, slot: 2, node: "down"),
                     Fixture.task("c", of: service, slot: 3, node: "gone"),
                     Fixture.task("d", of: service, slot: 4, node: "paused")]
        let nodes = [Fixture.node("drained", availability: .drain), Fixture.node("down", state: .down),
                     Fixture.node("paused", availability: .pause), Fixture.node("ok")]
        let plan = plan(view(service, tasks, nodes: nodes))
        #expect(plan.desired == ["a": .shutdown, "b": .shutdown, "c": .shutdown])
        #expect(plan.created.map(\.slot) == [1, 2, 3])
    }

    @Test("a global service runs one task per eligible node and follows drain and constraints")
    func global() {
        let service = Fixture.service(template: Fixture.template(constraints: ["node.role!=manager"]), global: true)
        let nodes = [Fixture.node("w1"), Fixture.node("w2", availability: .drain), Fixture.node("m1", role: "manager"),
                     Fixture.node("w3", state: .down), Fixture.node("w4", availability: .pause)]
        let tasks = [Fixture.task("on-w2", of: service, slot: 0, node: "w2"),
                     Fixture.task("on-m1", of: service, slot: 0, node: "m1")]
        let plan = plan(view(service, tasks, nodes: nodes))
        #expect(plan.created.map(\.nodeID) == ["w1"])
        #expect(plan.desired == ["on-w2": .shutdown, "on-m1": .shutdown])
    }

    @Test("stop-first: the new task waits in ready until the old one stopped")
    func stopFirst() {
        var service = Fixture.service(replicas: 1, template: Fixture.template(image: "busybox:2"),
                                      update: UpdateConfig(parallelism: 1, monitor: 1_000_000_000, order: .stopFirst))
        service.updateStatus = UpdateStatus(state: .updating, startedAt: Fixture.at(0))
        let oldSpec = Fixture.template(image: "busybox:1")
        let running = [Fixture.task("old", of: service, spec: oldSpec)]
        let start = plan(view(service, running))
        #expect(start.desired == ["old": .shutdown])
        #expect(start.created.map(\.desiredState) == [.ready])

        let waiting = [Fixture.task("old", of: service, desired: .shutdown, spec: oldSpec),
                       Fixture.task("new", of: service, state: .ready, desired: .ready)]
        #expect(plan(view(service, waiting)).desired.isEmpty)
        let stopped = [Fixture.task("old", of: service, state: .shutdown, desired: .shutdown, spec: oldSpec),
                       Fixture.task("new", of: service, state: .ready, desired: .ready)]
        #expect(plan(view(service, stopped)).desired == ["new": .running])
    }

    @Test("start-first: the old task stops once the new one runs")
    func startFirst() {
        var service = Fixture.service(replicas: 1, template: Fixture.template(image: "busybox:2"),
                                      update: UpdateConfig(parallelism: 1, monitor: 1_000_000_000, order: .startFirst))
        service.updateStatus = UpdateStatus(state: .updating, startedAt: Fixture.at(0))
        let oldSpec = Fixture.template(image: "busybox:1")
        let start = plan(view(service, [Fixture.task("old", of: service, spec: oldSpec)]))
        #expect(start.desired.isEmpty)
        #expect(start.created.map(\.desiredState) == [.running])
        let both = [Fixture.task("old", of: service, spec: oldSpec),
                    Fixture.task("new", of: service, state: .running, at: Fixture.at(99))]
        #expect(plan(view(service, both)).desired == ["old": .shutdown])
    }

    @Test("an update never restarts tasks for a scale-only change")
    func scaleOnly() {
        let service = Fixture.service(replicas: 3)
        let tasks = (1...2).map { Fixture.task("t\($0)", of: service, slot: $0) }
        let plan = plan(view(service, tasks))
        #expect(plan.desired.isEmpty)
        #expect(plan.created.map(\.slot) == [3])
        #expect(plan.serviceUpdates.isEmpty)
    }

    @Test("the reaper keeps TaskHistoryRetentionLimit tasks per slot and drops removed services' tasks")
    func reaps() {
        let service = Fixture.service()
        var tasks = (0..<7).map {
            Fixture.task("h\($0)", of: service, state: .failed, desired: .shutdown, at: Fixture.at(Double($0)))
        }
        tasks.append(Fixture.task("live", of: service, at: Fixture.at(10)))
        #expect(plan(view(service, tasks)).removed == ["h0", "h1", "h2"])

        var limited = view(service, tasks)
        limited.swarm = Swarm(spec: SwarmSpec(orchestration: .init(taskHistoryRetentionLimit: 2)))
        #expect(plan(limited).removed.count == 6)

        let gone = ClusterView(nodes: [Fixture.node("n1")], tasks: [
            Fixture.task("running", of: service), Fixture.task("stopped", of: service, slot: 2, state: .shutdown, desired: .remove),
        ])
        let cleanup = plan(gone)
        #expect(cleanup.desired == ["running": .remove])
        #expect(cleanup.removed == ["stopped"])
    }

    @Test("an automatic rollback is one service update that restores the previous spec")
    func autoRollback() {
        var service = Fixture.service(replicas: 1, template: Fixture.template(image: "busybox:bad"),
                                      update: UpdateConfig(parallelism: 1, failureAction: .rollback, monitor: 5_000_000_000))
        service.previousSpec = ServiceSpec(name: "web", taskTemplate: Fixture.template(image: "busybox:good"), mode: .replicated(1))
        service.updateStatus = UpdateStatus(state: .updating, startedAt: Fixture.at(0))
        let tasks = [Fixture.task("good", of: service, state: .shutdown, desired: .shutdown,
                                  spec: Fixture.template(image: "busybox:good")),
                     Fixture.task("bad", of: service, state: .failed, at: Fixture.at(2), created: Fixture.at(1))]
        let plan = plan(view(service, tasks), at: 3)
        #expect(plan.serviceUpdates.count == 1)
        #expect(plan.serviceUpdates.first?.spec.taskTemplate.containerSpec?.image == "busybox:good")
        #expect(plan.serviceUpdates.first?.previousSpec?.taskTemplate.containerSpec?.image == "busybox:bad")
        #expect(plan.serviceUpdates.first?.updateStatus?.state == .rollbackStarted)
    }
}
