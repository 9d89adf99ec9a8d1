import Foundation
import Testing

/// The data plane on the Docker executor: three nodes sharing one private engine (each on
/// its own loopback address, its published ports bound there), driven with the stock
/// docker CLI. Containers find services by name at their node's resolver and reach them
/// through the node; a task on another node is reached over the data path, never through
/// the shared engine's bridges.
@Suite("routing mesh and service discovery on the Docker executor", .serialized, .enabled(if: geteuid() == 0))
struct DockerMeshTests {
    /// Three nodes on 127.0.0.{base+1…3} sharing the private engine, node 1 the manager.
    static func cluster() throws -> (nodes: [DaemonHarness], engine: DockerEngineHarness) {
        let engine = try DockerEngineHarness.shared.get()
        let port = TestPorts.swarm()
        let base = Int.random(in: 20...200)
        var nodes: [DaemonHarness] = []
        for index in 0..<3 {
            let address = "127.0.\(base).\(index + 1)"
            let node = DaemonHarness(listenIP: address, clusterPort: port, nodeName: "n\(index + 1)")
            try node.start(initialize: index == 0, executor: "docker",
                           extraArguments: ["--docker-host", "unix://" + engine.socket, "--ingress-addr", address])
            nodes.append(node)
        }
        let token = try nodes[0].docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        for node in nodes.dropFirst() {
            try node.docker("swarm", "join", "--token", token, "--listen-addr", node.listenAddress,
                            "--advertise-addr", node.listenAddress, nodes[0].listenAddress)
        }
        try MultiManagerTests.eventually("every node is ready", timeout: 30, showingLogsOf: nodes) {
            try nodes[0].docker("node", "ls", "--format", "{{.Status}}").split(separator: "\n").filter { $0 == "Ready" }.count == 3
        }
        return (nodes, engine)
    }

    /// Stops the nodes, then removes what they left on the shared engine (containers outlive
    /// their agent; the node's network stays for its next start).
    static func tearDown(_ nodes: [DaemonHarness], _ engine: DockerEngineHarness) {
        let ids = nodes.compactMap { try? $0.docker("info", "--format", "{{.Swarm.NodeID}}").trimmingCharacters(in: .whitespacesAndNewlines) }
        for node in nodes { _ = node.stop(within: 20) }
        for id in ids where !id.isEmpty {
            _ = try? engine.shell("docker ps -aq --filter label=com.docker.swarm.node.id=\(id) | xargs -r docker rm -f")
            _ = try? engine.shell("docker network ls -q --filter label=com.colmeia.node.id=\(id) | xargs -r docker network rm")
        }
    }

    static func host(_ node: DaemonHarness) -> String {
        String(node.listenAddress.split(separator: ":")[0])
    }

    static func counters(_ service: String, on node: DaemonHarness) throws -> [String: Int] {
        let output = try node.curl(["-sf", "http://localhost/colmeia/v1/mesh"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        let services = object["services"] as? [[String: Any]] ?? []
        return services.first { $0["name"] as? String == service }?.compactMapValues { $0 as? Int } ?? [:]
    }

    /// busybox httpd on port 80 answering `served by TASK`.
    static let server = "mkdir -p /www && echo \"served by $TASK\" > /www/index.html && exec httpd -f -p 80 -h /www"

    @Test("containers on nodes sharing one engine: a one-replica service published on 8080 answers on all three nodes, through the data path from the two without it")
    func publishedPortOnSharedEngine() throws {
        let (nodes, engine) = try Self.cluster()
        defer { Self.tearDown(nodes, engine) }
        try nodes[0].docker("service", "create", "-d", "--name", "web", "-p", "8080:80", "--env", "TASK={{.Task.Name}}",
                            "--constraint", "node.hostname==n2", DockerEngineHarness.image, "sh", "-c", Self.server)
        var task = ""
        try MultiManagerTests.eventually("the task runs", timeout: 60, showingLogsOf: nodes) {
            task = try nodes[0].docker("service", "ps", "web", "--no-trunc", "--filter", "desired-state=running",
                                       "--format", "{{.Name}}.{{.ID}} {{.CurrentState}}")
            return task.contains("Running")
        }
        let name = String(task.split(separator: " ")[0])
        for node in nodes {
            try MultiManagerTests.eventually("\(node.nodeName) answers on 8080", timeout: 20, showingLogsOf: nodes) {
                try MeshClient.get(Self.host(node), 8080).get() == "served by \(name)"
            }
        }
        #expect(try Self.counters("web", on: nodes[0])["toOtherNode"] ?? 0 >= 1)
        #expect(try Self.counters("web", on: nodes[2])["toOtherNode"] ?? 0 >= 1)
        #expect(try Self.counters("web", on: nodes[1])["fromOtherNode"] ?? 0 >= 2)
        try nodes[0].docker("service", "rm", "web")
    }

    @Test("docker stack deploy: the client reaches api by name (wget, in its service logs), tasks.api lists both replicas, a service outside the stack's network cannot resolve api; the cross-node connections took the data path")
    func stackServicesFindEachOtherByName() throws {
        let (nodes, engine) = try Self.cluster()
        defer { Self.tearDown(nodes, engine) }
        let compose = """
            version: "3.8"
            services:
              api:
                image: \(DockerEngineHarness.image)
                command: ["sh", "-c", "\(Self.server.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "$", with: "$$"))"]
                environment:
                  TASK: "{{.Task.Name}}"
                networks: [back]
                deploy:
                  replicas: 2
                  placement:
                    constraints: ["node.hostname != n1"]
                    max_replicas_per_node: 1
              client:
                image: \(DockerEngineHarness.image)
                command: ["sh", "-c", "while true; do wget -qO- http://api:80/ || echo failed; nslookup tasks.api; sleep 1; done"]
                networks: [back]
                deploy:
                  placement:
                    constraints: ["node.hostname == n1"]
            networks:
              back:
                driver: overlay
            """
        try nodes[0].docker("stack", "deploy", "-c", "-", "demo", stdin: compose)
        // A service on a network of its own, next to the client on n1.
        try nodes[0].docker("network", "create", "-d", "overlay", "other")
        try nodes[0].docker("service", "create", "-d", "--name", "outsider", "--network", "other", "--constraint", "node.hostname==n1",
                            DockerEngineHarness.image, "sh", "-c", "while true; do nslookup api; sleep 1; done")
        var replicas: [String] = []
        try MultiManagerTests.eventually("both api replicas run", timeout: 60, showingLogsOf: nodes) {
            replicas = try nodes[0].docker("service", "ps", "demo_api", "--no-trunc", "--filter", "desired-state=running",
                                           "--format", "{{.Name}}.{{.ID}} {{.CurrentState}}")
                .split(separator: "\n").filter { $0.contains("Running") }.map { String($0.split(separator: " ")[0]) }
            return replicas.count == 2
        }
        // The client's log shows answers from api, by name, from both replicas in turn.
        try MultiManagerTests.eventually("the client reached both replicas by name", timeout: 60, showingLogsOf: nodes) {
            let logs = try nodes[0].docker("service", "logs", "--raw", "demo_client")
            return replicas.allSatisfy { logs.contains("served by \($0)") }
        }
        let inspect = try nodes[0].docker("service", "inspect", "demo_api", "--format",
                                          "{{range .Endpoint.VirtualIPs}}{{.Addr}} {{end}}")
        let taskAddresses = try nodes[0].docker("inspect", "--type", "task", "--format",
                                                "{{range .NetworksAttachments}}{{range .Addresses}}{{.}}{{end}}{{end}}",
                                                replicas[0].split(separator: ".").last.map(String.init) ?? "")
        #expect(!inspect.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "demo_api has a virtual IP")
        // tasks.api: both replicas' addresses.
        try MultiManagerTests.eventually("tasks.api lists both replicas", timeout: 30) {
            let logs = try nodes[0].docker("service", "logs", "--raw", "--tail", "20", "demo_client")
            let addresses = Set(logs.split(separator: "\n").filter { $0.hasPrefix("Address:") && !$0.contains("#53") }
                .map { $0.replacingOccurrences(of: "Address:", with: "").trimmingCharacters(in: .whitespaces) })
            return addresses.count >= 2
                && addresses.contains(String(taskAddresses.split(separator: "/").first ?? ""))
        }
        // Outside the stack's network, `api` means nothing: the node's resolver passes it on
        // to the node's own nameservers, which do not know it either.
        var outsider = ""
        try MultiManagerTests.eventually("the outsider's lookup of api fails", timeout: 60, showingLogsOf: nodes) {
            outsider = try nodes[0].docker("service", "logs", "--raw", "outsider")
            return outsider.contains("can't find api")
        }
        let vip = String(inspect.split(separator: "/").first ?? "")
        #expect(!outsider.contains(vip), "\(outsider)")
        // The client is on n1 and the replicas on n2 and n3: n1 sent them over the data
        // path, and they took them from there.
        #expect(try Self.counters("demo_api", on: nodes[0])["toOtherNode"] ?? 0 >= 2)
        #expect(try Self.counters("demo_api", on: nodes[0])["toLocalTask"] ?? 0 == 0)
        let received = try (1...2).map { try Self.counters("demo_api", on: nodes[$0])["fromOtherNode"] ?? 0 }
        #expect(received.allSatisfy { $0 >= 1 }, "\(received)")
        try nodes[0].docker("stack", "rm", "demo")
        try nodes[0].docker("service", "rm", "outsider")
    }
}
