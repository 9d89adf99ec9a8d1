import ColmeiaModel
import Testing
@testable import ColmeiaManager

@Suite("DeployTracker: a webhook deploy's outcome read from its service's update")
struct DeployTrackerTests {
    static let oldSpec = Fixture.template(image: "localbusybox:1")
    static let newSpec = Fixture.template(image: "localbusybox:2")

    func service(status: UpdateState?, message: String = "", swapped: Bool = false) -> Service {
        var service = Fixture.service(replicas: 2, template: swapped ? Self.oldSpec : Self.newSpec)
        service.previousSpec = ServiceSpec(name: "web", taskTemplate: swapped ? Self.newSpec : Self.oldSpec, mode: .replicated(2))
        service.updateStatus = status.map { UpdateStatus(state: $0, message: message) }
        return service
    }

    func deploy(_ state: Deploy.State = .updating, message: String = "") -> Deploy {
        var deploy = Deploy(id: "d1", name: "hook/delivery/svc", webhookID: "hook", webhookName: "gh", provider: .github, delivery: "delivery",
                            event: "push", serviceID: "svc", serviceName: "web", image: "localbusybox:2", previousImage: "localbusybox:1",
                            forceUpdate: 0, state: state, message: message)
        deploy.template = Deploy.comparable(Self.newSpec)
        return deploy
    }

    @Test("updating while the service's update runs, with the slots on the new image counted")
    func updating() throws {
        let service = service(status: .updating, message: "update in progress")
        let tasks = [Fixture.task("a", of: service, slot: 1, spec: Self.newSpec), Fixture.task("b", of: service, slot: 2, spec: Self.oldSpec)]
        let next = try #require(DeployTracker.evaluate(deploy(), service: service, tasks: tasks, now: Fixture.at(1)))
        #expect(next.state == .updating)
        #expect(next.progress == Deploy.Progress(total: 2, updated: 1, failed: 0))
        #expect(next.completedAt == nil)
    }

    @Test("completed when the update completes; paused with the task's error when it pauses")
    func completedAndPaused() throws {
        let tasks = { (service: Service) in [Fixture.task("a", of: service, slot: 1), Fixture.task("b", of: service, slot: 2)] }
        let completed = service(status: .completed, message: "update completed")
        let done = try #require(DeployTracker.evaluate(deploy(), service: completed, tasks: tasks(completed), now: Fixture.at(2)))
        #expect(done.state == .completed && done.message == "update completed" && done.completedAt == Fixture.at(2))
        #expect(done.progress.updated == 2)

        let paused = service(status: .paused, message: "update paused due to failure or early termination of task x")
        let failed = Fixture.task("x", of: paused, slot: 1, state: .failed, spec: Self.newSpec, err: "starting container failed: no such file")
        let stopped = try #require(DeployTracker.evaluate(deploy(), service: paused, tasks: [failed], now: Fixture.at(3)))
        #expect(stopped.state == .paused)
        #expect(stopped.message == "update paused due to failure or early termination of task x: starting container failed: no such file")
        #expect(stopped.progress.failed == 1)
    }

    @Test("a rollback is rolling_back, then rolled_back with the reason it began; a paused rollback fails")
    func rollback() throws {
        let started = service(status: .rollbackStarted, message: "update rolled back due to failure or early termination of task x", swapped: true)
        let failed = Fixture.task("x", of: started, slot: 1, state: .rejected, spec: Self.newSpec, err: "no such image")
        let rolling = try #require(DeployTracker.evaluate(deploy(), service: started, tasks: [failed], now: Fixture.at(1)))
        #expect(rolling.state == .rollingBack)
        #expect(rolling.message == "update rolled back due to failure or early termination of task x: no such image")

        let completed = service(status: .rollbackCompleted, message: "rollback completed", swapped: true)
        let back = try #require(DeployTracker.evaluate(rolling, service: completed, tasks: [failed], now: Fixture.at(4)))
        #expect(back.state == .rolledBack && back.message == rolling.message)
        // A new leader that never saw the rollback start still says why.
        let fresh = try #require(DeployTracker.evaluate(deploy(), service: completed, tasks: [failed], now: Fixture.at(4)))
        #expect(fresh.state == .rolledBack && fresh.message == "update rolled back: no such image")

        let pausedRollback = service(status: .rollbackPaused, message: "rollback paused due to failure", swapped: true)
        #expect(DeployTracker.evaluate(deploy(), service: pausedRollback, tasks: [], now: Fixture.at(5))?.state == .failed)
    }

    @Test("another update of the service, or its removal, fails the deploy with the reason")
    func supersededOrRemoved() throws {
        var other = service(status: .updating)
        other.spec.taskTemplate.containerSpec?.image = "localbusybox:3"
        other.version = Version(index: 42)
        let replaced = try #require(DeployTracker.evaluate(deploy(), service: other, tasks: [], now: Fixture.at(1)))
        #expect(replaced.state == .failed && replaced.message == "replaced by a later update of service web (version 42)")
        let removed = try #require(DeployTracker.evaluate(deploy(), service: nil, tasks: [], now: Fixture.at(1)))
        #expect(removed.state == .failed && removed.message == "service web was removed before the deploy finished")
    }

    @Test("a later update that keeps the image but changes the template (--env-add) is another update: the deploy fails saying so")
    func laterEnvChangeIsAnotherUpdate() throws {
        var changed = service(status: .updating)
        changed.spec.taskTemplate.containerSpec?.env = ["MODE=debug"]
        changed.version = Version(index: 50)
        let next = try #require(DeployTracker.evaluate(deploy(), service: changed, tasks: [], now: Fixture.at(1)))
        #expect(next.state == .failed && next.message.contains("replaced by a later update"))
    }

    @Test("a deploy whose tasks already run its template completes without an update status; one with no task completes too")
    func nothingOutdated() throws {
        let service = service(status: nil)
        let tasks = [Fixture.task("a", of: service, slot: 1, spec: Self.newSpec), Fixture.task("b", of: service, slot: 2, spec: Self.newSpec)]
        #expect(DeployTracker.evaluate(deploy(), service: service, tasks: tasks, now: Fixture.at(1))?.state == .completed)
        #expect(DeployTracker.evaluate(deploy(), service: service, tasks: [], now: Fixture.at(1))?.message == "update completed (no tasks to update)")
        let starting = [Fixture.task("a", of: service, slot: 1, state: .starting, spec: Self.newSpec)]
        #expect(DeployTracker.evaluate(deploy(), service: service, tasks: starting, now: Fixture.at(1))?.state == .updating)
    }

    @Test("a deploy that ends queues one delivery per subscription that wants its event, in the same command")
    func endingQueuesNotifications() throws {
        let completed = service(status: .rollbackCompleted, message: "rollback completed", swapped: true)
        var view = ClusterView(services: [completed])
        view.upsert(deploy())
        view.upsert(NotificationSubscription(id: "s1", spec: .init(name: "chat", url: "http://127.0.0.1:1/", events: ["deploy.rolled_back"])))
        view.upsert(NotificationSubscription(id: "s2", spec: .init(name: "pager", url: "http://127.0.0.1:2/", events: ["node.down"])))
        let commands = DeployTracker.plan(view, now: Fixture.at(9), newID: Fixture.ids())
        #expect(commands.count == 1)
        let events = try #require(commands.first?.events)
        #expect(commands.first?.preconditions == [.objectVersion(kind: .deploy, id: "d1", index: 0)])
        guard events.count == 2, case .deployUpdated(let ended) = events[0], case .deliveryCreated(let delivery) = events[1] else {
            Issue.record("unexpected events \(events)")
            return
        }
        #expect(ended.state == .rolledBack)
        #expect(delivery.subscriptionID == "s1" && delivery.event == "deploy.rolled_back" && delivery.name == "s1/deploy/d1/rolled_back")
        #expect(delivery.payload["Deploy"]?["State"]?.stringValue == "rolled_back")
    }

    @Test("a node that goes down raises one notice for the subscriptions that want it")
    func nodeDownNotice() {
        var view = ClusterView(nodes: [Fixture.node("n1")])
        view.upsert(NotificationSubscription(id: "s1", spec: .init(name: "pager", url: "http://127.0.0.1:1/", events: ["node.down"])))
        let down = Fixture.node("n1", state: .down)
        view.raise(.nodeDown(down, index: 7, time: Fixture.at(1)))
        view.raise(.nodeDown(down, index: 7, time: Fixture.at(1)))
        #expect(view.notices.map(\.key) == ["node.down/n1/7"])
        let commands = DeployTracker.plan(view, now: Fixture.at(2), newID: Fixture.ids())
        #expect(commands.flatMap(\.events).count == 1)
        view.noticeQueued(deliveryName: "s1/node.down/n1/7")
        #expect(view.notices.isEmpty)
    }
}
