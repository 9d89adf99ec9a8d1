@testable import ColmeiaCLI
import ColmeiaModel
import Foundation
import Testing

/// Tables, relative times, durations and output formats as docker prints them.
struct FormattingTests {
    @Test("tables pad columns to the widest cell plus 3, at least 10, and leave the last column unpadded")
    func table() {
        let table = TextTable(headers: ["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"],
                              rows: [["nzph4muzivl6", "web", "replicated", "3/3", "busybox", "*:8080->80/tcp"]])
        #expect(table.render() == """
            ID             NAME      MODE         REPLICAS   IMAGE     PORTS
            nzph4muzivl6   web       replicated   3/3        busybox   *:8080->80/tcp

            """)
    }

    @Test("human durations follow go-units", arguments: [
        (0.5, "Less than a second"), (1, "1 second"), (5, "5 seconds"), (59, "59 seconds"), (60, "About a minute"),
        (150, "2 minutes"), (3600, "About an hour"), (7200, "2 hours"), (3 * 86400, "3 days"), (20 * 86400, "2 weeks"),
        (90 * 86400, "3 months"), (800 * 86400, "2 years"),
    ] as [(Double, String)])
    func humanDuration(seconds: Double, text: String) {
        #expect(RelativeTime.humanDuration(seconds) == text)
    }

    @Test("Go durations parse and print like time.Duration")
    func goDurations() {
        #expect(GoDuration.parse("10s") == 10_000_000_000)
        #expect(GoDuration.parse("1m30s") == 90_000_000_000)
        #expect(GoDuration.parse("500ms") == 500_000_000)
        #expect(GoDuration.parse("1.5h") == 5_400_000_000_000)
        #expect(GoDuration.parse("0") == 0)
        #expect(GoDuration.parse("10") == nil)
        #expect(GoDuration.parse("10x") == nil)
        #expect(GoDuration.parse("") == nil)
        #expect(GoDuration.format(10_000_000_000) == "10s")
        #expect(GoDuration.format(90_000_000_000) == "1m30s")
        #expect(GoDuration.format(3_600_000_000_000) == "1h0m0s")
        #expect(GoDuration.format(500_000_000) == "500ms")
        #expect(GoDuration.format(0) == "0s")
    }

    @Test("byte sizes in binary units")
    func byteSizes() {
        #expect(ByteSize.parse("512m") == 536_870_912)
        #expect(ByteSize.parse("1GiB") == 1_073_741_824)
        #expect(ByteSize.parse("1024") == 1024)
        #expect(ByteSize.parse("lots") == nil)
        #expect(ByteSize.format(4_080_218_931) == "3.8GiB")
    }

    @Test("list output: table, quiet ids, one JSON object a line, templates with and without table")
    func listOutput() throws {
        let output = ListOutput(columns: [.init("ID", "ID"), .init("Name", "NAME")],
                                rows: [["ID": "abc", "Name": "web"], ["ID": "def", "Name": "api"]])
        #expect(output.render(format: nil, quiet: true) == "abc\ndef\n")
        #expect(output.render(format: "json", quiet: false) == "{\"ID\":\"abc\",\"Name\":\"web\"}\n{\"ID\":\"def\",\"Name\":\"api\"}\n")
        #expect(output.render(format: "{{.Name}} {{.ID}}", quiet: false) == "web abc\napi def\n")
        #expect(output.render(format: "table {{.Name}}\\t{{.ID}}", quiet: false) == "NAME      ID\nweb       abc\napi       def\n")
    }

    @Test("inspect prints docker's four-space JSON array and expands templates over it")
    func inspectOutput() throws {
        let service = Service(id: "abc", spec: ServiceSpec(name: "web", mode: ServiceMode(replicated: .init(replicas: 3))))
        let pretty = try InspectOutput.render([service], format: nil)
        #expect(pretty.hasPrefix("[\n    {\n        \"CreatedAt\": \"0001-01-01T00:00:00Z\",\n        \"Endpoint\": {"), "\(pretty)")
        #expect(pretty.contains("\n        \"ID\": \"abc\",\n"))
        #expect(try InspectOutput.render([service], format: "{{.Spec.Name}} {{.Spec.Mode.Replicated.Replicas}}") == "web 3\n")
        #expect(try InspectOutput.render([service], format: "{{json .Spec.Mode}}") == "{\"Replicated\":{\"Replicas\":3}}\n")
        #expect(try InspectOutput.render([service], format: "json").contains("\"ID\":\"abc\""))
    }

    @Test("service ps groups history under the slot's newest task with \\_ and says how long ago")
    func taskRows() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        func task(_ id: String, slot: Int, created: Int64, state: TaskState, desired: TaskState, err: String = "") -> SwarmTask {
            SwarmTask(id: id, createdAt: Timestamp(seconds: created), spec: TaskSpec(containerSpec: ContainerSpec(image: "busybox:1@sha256:abc")),
                      serviceID: "s1", slot: slot, nodeID: "n1",
                      status: TaskStatus(timestamp: Timestamp(seconds: 1_000_000 - 5), state: state, err: err), desiredState: desired)
        }
        let rows = ResourceTables.taskRows(
            [task("old1xxxxxxxxxxxxxx", slot: 1, created: 10, state: .shutdown, desired: .shutdown),
             task("new1xxxxxxxxxxxxxx", slot: 1, created: 20, state: .running, desired: .running),
             task("new2xxxxxxxxxxxxxx", slot: 2, created: 20, state: .failed, desired: .shutdown,
                  err: "task: non-zero exit (1) because it was told to")],
            serviceNames: ["s1": "web"], nodeNames: ["n1": "node-1"], noTrunc: false, now: now)
        #expect(rows.map { $0["Name"] } == ["web.1", " \\_ web.1", "web.2"])
        #expect(rows[0]["ID"] == "new1xxxxxxxx")
        #expect(rows[0]["Image"] == "busybox:1")
        #expect(rows[0]["Node"] == "node-1")
        #expect(rows[0]["DesiredState"] == "Running")
        #expect(rows[0]["CurrentState"] == "Running 5 seconds ago")
        #expect(rows[2]["Error"] == "\"task: non-zero exit (1) becau…\"")
    }

    @Test("node ls marks the current node with * and names leaders")
    func nodeRows() {
        let nodes = [
            Node(id: "b", description: NodeDescription(hostname: "worker"), status: NodeStatus(state: .ready)),
            Node(id: "a", spec: NodeSpec(role: .manager, availability: .drain), description: NodeDescription(hostname: "manager"),
                 status: NodeStatus(state: .ready), managerStatus: ManagerStatus(leader: true)),
        ]
        let rows = ResourceTables.nodeRows(nodes, currentNodeID: "a")
        #expect(rows.map { $0["ID"] } == ["a *", "b"])
        #expect(rows[0]["ManagerStatus"] == "Leader")
        #expect(rows[0]["Availability"] == "Drain")
        #expect(rows[1]["Status"] == "Ready")
    }
}
