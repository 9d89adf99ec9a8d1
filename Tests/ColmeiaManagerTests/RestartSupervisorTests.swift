import ColmeiaModel
import Testing
@testable import ColmeiaManager

@Suite("Restart supervisor: conditions, delay, attempts and window")
struct RestartSupervisorTests {
    let service = Fixture.service()

    func ended(_ state: TaskState, at seconds: Double) -> SwarmTask {
        Fixture.task("t", of: service, state: state, at: Fixture.at(seconds))
    }

    @Test("condition none never restarts; on-failure restarts failures only; any restarts everything")
    func conditions() {
        let now = Fixture.at(100)
        func decide(_ condition: RestartCondition, _ state: TaskState) -> RestartSupervisor.Decision {
            RestartSupervisor.decide(ended: ended(state, at: 0), policy: RestartPolicy(condition: condition, delay: 0),
                                     earlierEnds: [], now: now)
        }
        #expect(decide(.none, .failed) == .never)
        #expect(decide(.onFailure, .complete) == .never)
        #expect(decide(.onFailure, .failed) == .restart)
        #expect(decide(.onFailure, .rejected) == .restart)
        #expect(decide(.any, .complete) == .restart)
    }

    @Test("the default policy is condition any with a 5 second delay")
    func defaults() {
        let task = ended(.failed, at: 10)
        #expect(RestartSupervisor.decide(ended: task, policy: nil, earlierEnds: [], now: Fixture.at(12))
            == .restartAt(Fixture.at(15)))
        #expect(RestartSupervisor.decide(ended: task, policy: nil, earlierEnds: [], now: Fixture.at(15)) == .restart)
    }

    @Test("max attempts without a window is a lifetime budget")
    func attempts() {
        let policy = RestartPolicy(condition: .any, delay: 0, maxAttempts: 2)
        let task = ended(.failed, at: 50)
        #expect(RestartSupervisor.decide(ended: task, policy: policy, earlierEnds: [Fixture.at(10)], now: Fixture.at(60))
            == .restart)
        #expect(RestartSupervisor.decide(ended: task, policy: policy, earlierEnds: [Fixture.at(10), Fixture.at(20)],
                                         now: Fixture.at(1_000)) == .never)
    }

    @Test("with a window, attempts older than the window stop counting")
    func window() {
        let policy = RestartPolicy(condition: .any, delay: 1_000_000_000, maxAttempts: 2, window: 30_000_000_000)
        let task = ended(.failed, at: 40)
        let ends = [Fixture.at(20), Fixture.at(35)]
        // Two attempts inside (10…40]: the next one waits until the one at 20 s leaves the window.
        #expect(RestartSupervisor.decide(ended: task, policy: policy, earlierEnds: ends, now: Fixture.at(41))
            == .restartAt(Fixture.at(50)))
        #expect(RestartSupervisor.decide(ended: task, policy: policy, earlierEnds: ends, now: Fixture.at(50)) == .restart)
        // Old attempts outside the window do not count at all.
        #expect(RestartSupervisor.decide(ended: task, policy: policy, earlierEnds: [Fixture.at(1), Fixture.at(2)],
                                         now: Fixture.at(41)) == .restart)
    }

    @Test("max attempts counts the task's own attempt count, which outlives the trimmed history")
    func attemptsBeyondHistory() {
        let policy = RestartPolicy(condition: .any, delay: 0, maxAttempts: 8)
        var task = ended(.failed, at: 50)
        task.restartAttempts = 7
        // Only two earlier tasks are left in the slot's history; the count says seven.
        let history = [Fixture.at(40), Fixture.at(45)]
        #expect(RestartSupervisor.decide(ended: task, policy: policy, earlierEnds: history, now: Fixture.at(60)) == .restart)
        task.restartAttempts = 8
        #expect(RestartSupervisor.decide(ended: task, policy: policy, earlierEnds: history, now: Fixture.at(60)) == .never)
        // Tasks from before the count was kept carry none: the history still counts.
        task.restartAttempts = 0
        #expect(RestartSupervisor.decide(ended: task, policy: policy, earlierEnds: Array(repeating: Fixture.at(1), count: 8),
                                         now: Fixture.at(60)) == .never)
    }

    @Test("a replacement carries one more attempt than the place's ended tasks of its spec")
    func attemptCount() {
        func counted(_ attempts: UInt64) -> SwarmTask {
            var task = ended(.failed, at: 10)
            task.restartAttempts = attempts
            return task
        }
        #expect(RestartSupervisor.attempts(after: []) == 0)
        #expect(RestartSupervisor.attempts(after: [counted(0)]) == 1)
        #expect(RestartSupervisor.attempts(after: [counted(5), counted(6)]) == 7)
        #expect(RestartSupervisor.attempts(after: [counted(0), counted(0), counted(0)]) == 3)
    }

    @Test("with a retention limit below max attempts, the slot stops restarting after max attempts (replicated state only)")
    func maxAttemptsBeyondRetention() {
        let policy = RestartPolicy(condition: .any, delay: 0, maxAttempts: 4)
        let service = Fixture.service(template: Fixture.template(restart: policy))
        var swarm = Swarm()
        swarm.spec.orchestration.taskHistoryRetentionLimit = 1
        var tasks: [SwarmTask] = []
        var created = 0
        var now = 100.0
        let ids = Fixture.ids()
        // Run the reconciler as the cluster would: each pass's plan applied to the view,
        // every new task failing at once, and the reaper trimming the history to one task.
        for _ in 0..<12 {
            let view = ClusterView(swarm: swarm, nodes: [Fixture.node("n1")], services: [service], tasks: tasks)
            let plan = Orchestrator.plan(view, now: Fixture.at(now), newID: ids)
            for event in plan.events {
                switch event {
                case .taskCreated(var task):
                    created += 1
                    task.nodeID = "n1"
                    task.status = TaskStatus(timestamp: Fixture.at(now), state: .failed, err: "task: non-zero exit (1)")
                    tasks.append(task)
                case .taskDesiredStateChanged(let id, let state):
                    if let index = tasks.firstIndex(where: { $0.id == id }) { tasks[index].desiredState = state }
                case .taskRemoved(let id):
                    tasks.removeAll { $0.id == id }
                default:
                    break
                }
            }
            now += 1
        }
        // The first task and four restarts.
        #expect(created == 5, "tasks created: \(created), history: \(tasks.map { ($0.id, $0.restartAttempts) })")
        #expect(tasks.map(\.restartAttempts).max() == 4)
    }
}
