import ColmeiaModel
import Testing
@testable import ColmeiaManager

/// Jobs as SwarmKit's jobs orchestrators run them: current-iteration tasks to completion,
/// at most MaxConcurrent at a time, failures restarted, older iterations removed.
@Suite("Orchestrator: replicated and global jobs")
struct JobOrchestratorTests {
    func job(total: Int64 = 6, concurrent: Int64 = 2, iteration: UInt64 = 0, restart: RestartPolicy? = nil, global: Bool = false) -> Service {
        var service = Fixture.service(name: "job", template: Fixture.template(restart: restart))
        service.spec.mode = global ? ServiceMode(globalJob: .init())
            : ServiceMode(replicatedJob: .init(maxConcurrent: concurrent, totalCompletions: total))
        service.jobStatus = JobStatus(jobIteration: Version(index: iteration))
        return service
    }

    func task(_ id: String, of service: Service, slot: Int, state: TaskState, node: String = "n1", iteration: UInt64 = 0,
              desired: TaskState = .complete, at seconds: Double = 90) -> SwarmTask {
        var task = Fixture.task(id, of: service, slot: slot, node: node, state: state, desired: desired, at: Fixture.at(seconds))
        task.jobIteration = Version(index: iteration)
        return task
    }

    func plan(_ service: Service, _ tasks: [SwarmTask], nodes: [Node] = [Fixture.node("n1"), Fixture.node("n2")], at seconds: Double = 100) -> ReconcilePlan {
        Orchestrator.plan(ClusterView(nodes: nodes, services: [service], tasks: tasks), now: Fixture.at(seconds), newID: Fixture.ids())
    }

    @Test("a new replicated job starts MaxConcurrent tasks in slots 0, 1 … with desired state complete and its iteration")
    func starts() {
        let created = plan(job(), []).created
        #expect(created.map(\.slot) == [0, 1])
        #expect(created.allSatisfy { $0.desiredState == .complete && $0.jobIteration == Version(index: 0) })
    }

    @Test("completions free room for more; never more than MaxConcurrent run; done at TotalCompletions")
    func progresses() {
        let service = job()
        let oneDone = [task("a", of: service, slot: 0, state: .complete), task("b", of: service, slot: 1, state: .running)]
        #expect(plan(service, oneDone).created.map(\.slot) == [2])
        let twoRunning = [task("a", of: service, slot: 0, state: .running), task("b", of: service, slot: 1, state: .running)]
        #expect(plan(service, twoRunning).created.isEmpty)
        let fiveDone = (0..<5).map { task("t\($0)", of: service, slot: $0, state: .complete) }
        #expect(plan(service, fiveDone).created.map(\.slot) == [5])
        let allDone = (0..<6).map { task("t\($0)", of: service, slot: $0, state: .complete) }
        #expect(plan(service, allDone).events.isEmpty)
    }

    @Test("a failed task is replaced in its slot under the restart policy; a completed one never runs again, even with condition any")
    func restarts() {
        let service = job(restart: RestartPolicy(condition: .any, delay: 0))
        let tasks = [task("ok", of: service, slot: 0, state: .complete), task("bad", of: service, slot: 1, state: .failed)]
        let plan = plan(service, tasks)
        #expect(plan.desired == ["bad": .shutdown])
        #expect(plan.created.map(\.slot) == [1, 2])
        let never = job(restart: RestartPolicy(condition: .none))
        #expect(self.plan(never, [task("bad", of: never, slot: 0, state: .failed), task("b", of: never, slot: 1, state: .running)])
            .created.isEmpty)
    }

    @Test("a new iteration removes the old one's unfinished tasks and starts again from zero completions")
    func newIteration() {
        let service = job(iteration: 1)
        let old = [task("done", of: service, slot: 0, state: .complete, iteration: 0),
                   task("busy", of: service, slot: 1, state: .running, iteration: 0)]
        let plan = plan(service, old)
        #expect(plan.desired == ["busy": .remove])
        #expect(plan.created.map(\.slot) == [0, 1])
        #expect(plan.created.allSatisfy { $0.jobIteration == Version(index: 1) })
    }

    @Test("a global job runs once on every ready, active node that fits, and not again once complete")
    func global() {
        let service = job(global: true)
        let nodes = [Fixture.node("n1"), Fixture.node("n2"), Fixture.node("drained", availability: .drain),
                     Fixture.node("down", state: .down)]
        #expect(plan(service, [], nodes: nodes).created.map(\.nodeID) == ["n1", "n2"])
        let done = [task("a", of: service, slot: 0, state: .complete, node: "n1"), task("b", of: service, slot: 0, state: .running, node: "n2")]
        #expect(plan(service, done, nodes: nodes).created.isEmpty)
    }

    @Test("the reaper keeps the current iteration's completions and trims older ones")
    func reaper() {
        let service = job(total: 1, concurrent: 1, iteration: 2)
        var tasks = [task("current", of: service, slot: 0, state: .complete, iteration: 2)]
        for index in 0..<6 { tasks.append(task("old\(index)", of: service, slot: 0, state: .complete, iteration: 1, at: Double(index))) }
        let removed = plan(service, tasks).removed
        #expect(!removed.contains("current"))
        #expect(removed.count == 2, "history of the slot trimmed to the retention limit: \(removed)")
    }
}
