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
}
