import ColmeiaModel
import Testing
@testable import ColmeiaManager

@Suite("Updater: the rolling-update state machine on a fake clock")
struct UpdaterTests {
    static let oldSpec = Fixture.template(image: "busybox:1")
    static let newSpec = Fixture.template(image: "busybox:2")

    /// A service at the new spec with `replicas` slots, each running an old task unless
    /// `slots` says otherwise.
    func service(_ config: UpdateConfig? = nil, status: UpdateStatus? = nil) -> Service {
        var service = Fixture.service(replicas: 3, template: Self.newSpec, update: config)
        service.previousSpec = ServiceSpec(name: "web", taskTemplate: Self.oldSpec, mode: .replicated(3))
        service.updateStatus = status
        return service
    }

    func groups(_ tasks: [SwarmTask]) -> [TaskGroup] {
        (1...3).map { slot in TaskGroup(slot: slot, tasks: tasks.filter { $0.slot == slot }) }
    }

    func old(_ slot: Int, _ service: Service) -> SwarmTask {
        Fixture.task("old\(slot)", of: service, slot: slot, spec: Self.oldSpec)
    }

    let config = UpdateConfig(parallelism: 1, delay: 2_000_000_000, failureAction: .pause, monitor: 5_000_000_000,
                              maxFailureRatio: 0, order: .stopFirst)

    @Test("an outdated service starts updating, one slot at a time")
    func starts() {
        let service = service(config)
        let step = Updater.evaluate(service: service, groups: groups((1...3).map { old($0, service) }), now: Fixture.at(0))
        #expect(step.status?.state == .updating)
        #expect(step.status?.message == "update in progress")
        #expect(step.replace.map(\.slot) == [1])
    }

    @Test("the next slot waits until the new task runs and the delay has passed")
    func delay() {
        let service = service(config, status: UpdateStatus(state: .updating, startedAt: Fixture.at(0)))
        var tasks = (2...3).map { old($0, service) }
        tasks.append(Fixture.task("new1", of: service, slot: 1, state: .starting, at: Fixture.at(1), created: Fixture.at(0)))
        #expect(Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(1)).replace.isEmpty)

        tasks[2] = Fixture.task("new1", of: service, slot: 1, state: .running, at: Fixture.at(2), created: Fixture.at(0))
        let waiting = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(3))
        #expect(waiting.replace.isEmpty)
        #expect(waiting.wakeAt == Fixture.at(4))
        #expect(Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(4)).replace.map(\.slot) == [2])
    }

    @Test("parallelism 0 replaces every slot at once")
    func allAtOnce() {
        var config = config
        config.parallelism = 0
        let service = service(config)
        let step = Updater.evaluate(service: service, groups: groups((1...3).map { old($0, service) }), now: Fixture.at(0))
        #expect(step.replace.map(\.slot) == [1, 2, 3])
    }

    @Test("the update completes once every new task has run for the monitor period")
    func completes() {
        let service = service(config, status: UpdateStatus(state: .updating, startedAt: Fixture.at(0)))
        let tasks = (1...3).map {
            Fixture.task("new\($0)", of: service, slot: $0, state: .running, at: Fixture.at(10), created: Fixture.at(9))
        }
        let early = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(12))
        #expect(early.status == nil)
        #expect(early.wakeAt == Fixture.at(15))
        let done = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(15))
        #expect(done.status?.state == .completed)
        #expect(done.status?.message == "update completed")
        #expect(done.status?.completedAt == Fixture.at(15))
    }

    @Test("a failed new task pauses the update with Docker's message")
    func pauses() {
        let service = service(config, status: UpdateStatus(state: .updating, startedAt: Fixture.at(0)))
        var tasks = (2...3).map { old($0, service) }
        tasks.append(Fixture.task("bad1", of: service, slot: 1, state: .failed, at: Fixture.at(2), created: Fixture.at(1)))
        let step = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(3))
        #expect(step.status?.state == .paused)
        #expect(step.status?.message == "update paused due to failure or early termination of task bad1")
        #expect(step.replace.isEmpty)
        // Paused stays paused: the user decides.
        var paused = service
        paused.updateStatus = step.status
        let later = Updater.evaluate(service: paused, groups: groups(tasks), now: Fixture.at(30))
        #expect(later.status == nil && later.replace.isEmpty)
    }

    @Test("failure action rollback swaps back to the previous spec")
    func rollsBack() {
        var config = config
        config.failureAction = .rollback
        let service = service(config, status: UpdateStatus(state: .updating, startedAt: Fixture.at(0)))
        var tasks = (2...3).map { old($0, service) }
        tasks.append(Fixture.task("bad1", of: service, slot: 1, state: .rejected, at: Fixture.at(2), created: Fixture.at(1)))
        let step = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(3))
        #expect(step.rollback)
        #expect(step.status?.state == .rollbackStarted)
        #expect(step.status?.message == "update rolled back due to failure or early termination of task bad1")
    }

    @Test("failures within the max failure ratio, or with action continue, do not stop the update")
    func tolerated() {
        var config = config
        config.maxFailureRatio = 0.5
        let service = service(config, status: UpdateStatus(state: .updating, startedAt: Fixture.at(0)))
        var tasks = (2...3).map { old($0, service) }
        tasks.append(Fixture.task("bad1", of: service, slot: 1, state: .failed, at: Fixture.at(2), created: Fixture.at(1)))
        let step = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(3))
        #expect(step.status == nil)
        #expect(step.replace.map(\.slot) == [2])

        config.maxFailureRatio = 0
        config.failureAction = .continue
        let continuing = self.service(config, status: UpdateStatus(state: .updating, startedAt: Fixture.at(0)))
        #expect(Updater.evaluate(service: continuing, groups: groups(tasks), now: Fixture.at(3)).replace.map(\.slot) == [2])
    }

    @Test("a failure after the monitor period does not count against the update")
    func monitorWindow() {
        let service = service(config, status: UpdateStatus(state: .updating, startedAt: Fixture.at(0)))
        var tasks = (2...3).map { old($0, service) }
        var late = Fixture.task("late1", of: service, slot: 1, state: .failed, at: Fixture.at(60), created: Fixture.at(1))
        late.startedRunningAt = Fixture.at(2)
        tasks.append(late)
        #expect(Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(61)).status == nil)
    }

    @Test("the monitor period counts from when the task started running, not from its creation")
    func monitorFromRunning() {
        let service = service(config, status: UpdateStatus(state: .updating, startedAt: Fixture.at(0)))
        var tasks = (2...3).map { old($0, service) }
        // A long pull: created at 1 s, running at 50 s, failed 3 s later (monitor 5 s).
        var slow = Fixture.task("slow1", of: service, slot: 1, state: .failed, at: Fixture.at(53), created: Fixture.at(1))
        slow.startedRunningAt = Fixture.at(50)
        tasks.append(slow)
        let step = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(54))
        #expect(step.status?.state == .paused)
        #expect(step.status?.message == "update paused due to failure or early termination of task slow1")
        // One that never ran at all counts too, however long it took to fail.
        tasks[tasks.count - 1].startedRunningAt = nil
        #expect(Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(54)).status?.state == .paused)
        // Failing 6 s after it started running is past the monitor period.
        tasks[tasks.count - 1].startedRunningAt = Fixture.at(47)
        #expect(Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(54)).status == nil)
    }

    @Test("a rollback uses RollbackConfig and ends in rollback_completed")
    func rollbackCompletes() {
        var service = service(config, status: UpdateStatus(state: .rollbackStarted, startedAt: Fixture.at(0),
                                                           message: "manually requested rollback"))
        service.spec.rollbackConfig = UpdateConfig(parallelism: 0, monitor: 1_000_000_000)
        let outdated = (1...3).map { old($0, service) }
        #expect(Updater.evaluate(service: service, groups: groups(outdated), now: Fixture.at(0)).replace.count == 3)
        let tasks = (1...3).map {
            Fixture.task("r\($0)", of: service, slot: $0, state: .running, at: Fixture.at(2), created: Fixture.at(1))
        }
        let done = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(3))
        #expect(done.status?.state == .rollbackCompleted)
        #expect(done.status?.message == "rollback completed")
    }

    @Test("a service whose tasks all run its spec has no update to report")
    func nothingToDo() {
        let service = service(config)
        let tasks = (1...3).map { Fixture.task("t\($0)", of: service, slot: $0) }
        let step = Updater.evaluate(service: service, groups: groups(tasks), now: Fixture.at(100))
        #expect(step.status == nil && step.replace.isEmpty && !step.rollback)
    }
}
