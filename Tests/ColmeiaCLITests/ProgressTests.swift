@testable import ColmeiaCLI
import ColmeiaModel
import Foundation
import Synchronization
import Testing

/// Progress bars computed from tasks, drawn in place on a terminal and as lines otherwise.
struct ProgressTests {
    func service(replicas: Int64) -> Service {
        Service(id: "s", spec: ServiceSpec(name: "web", taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: "busybox")),
                                           mode: ServiceMode(replicated: .init(replicas: replicas))))
    }

    func task(slot: Int, state: TaskState, template: TaskSpec, desired: TaskState = .running) -> SwarmTask {
        SwarmTask(id: "t\(slot)\(state)", spec: template, serviceID: "s", slot: slot, nodeID: "n",
                  status: TaskStatus(state: state), desiredState: desired)
    }

    @Test("one bar per slot; converged when every slot runs the current template")
    func replicated() {
        let service = service(replicas: 3)
        let template = service.spec.taskTemplate
        var old = template
        old.containerSpec?.image = "busybox:old"
        let nodes = [Node(id: "n", status: NodeStatus(state: .ready))]
        let partial = ServiceProgress.snapshot(service: service, tasks: [
            task(slot: 1, state: .running, template: template), task(slot: 2, state: .preparing, template: template),
            task(slot: 3, state: .running, template: old),
        ], nodes: nodes)
        #expect(partial.lines.map(\.plainText) == ["overall progress: 1 out of 3 tasks", "1/3: running", "2/3: preparing", "3/3: "])
        #expect(!partial.converged)
        let done = ServiceProgress.snapshot(service: service, tasks: (1...3).map { task(slot: $0, state: .running, template: template) },
                                            nodes: nodes)
        #expect(done.converged)
        #expect(done.lines[1].terminalText == "1/3: running   [" + String(repeating: "=", count: 50) + ">]")
    }

    @Test("a terminal gets the block redrawn in place; a pipe gets each changed line once")
    func renderers() {
        let written = Mutex<[String]>([])
        var terminal = ProgressRenderer(terminal: true) { text in written.withLock { $0.append(text) } }
        terminal.show([ProgressLine(id: "overall progress", text: "0 out of 1 tasks"), ProgressLine(id: "1/1", text: "new", step: 1)])
        terminal.show([ProgressLine(id: "overall progress", text: "1 out of 1 tasks"), ProgressLine(id: "1/1", text: "running", step: 9)])
        let frames = written.withLock { $0 }
        #expect(frames.count == 2)
        #expect(!frames[0].contains("\u{1B}[2A"))
        #expect(frames[1].hasPrefix("\u{1B}[2A"))
        #expect(frames[1].contains("overall progress: 1 out of 1 tasks"))

        written.withLock { $0 = [] }
        var plain = ProgressRenderer(terminal: false) { text in written.withLock { $0.append(text) } }
        plain.show([ProgressLine(id: "overall progress", text: "0 out of 1 tasks"), ProgressLine(id: "1/1", text: "new", step: 1)])
        plain.show([ProgressLine(id: "overall progress", text: "0 out of 1 tasks"), ProgressLine(id: "1/1", text: "running", step: 9)])
        #expect(written.withLock { $0 } == ["overall progress: 0 out of 1 tasks\n1/1: new\n", "1/1: running\n"])
        #expect(!written.withLock { $0.joined() }.contains("\u{1B}"))
    }
}
