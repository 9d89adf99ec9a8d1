import Foundation
import Testing

/// A swarm of colmeiad nodes for data-plane tests, each in its own network namespace
/// (process executor): node 0 the manager, the others workers, joined with the stock
/// docker CLI through their node addresses. Tasks run `MeshCluster.backend`, a small HTTP
/// server that names its task and the address it was called from.
final class MeshCluster {
    let namespaces: NetworkNamespaces
    let nodes: [DaemonHarness]
    let port: Int
    /// A folder every user can read, holding the backend script.
    let scripts: String

    var manager: DaemonHarness { nodes[0] }

    init(nodes count: Int = 3) throws {
        namespaces = try NetworkNamespaces(count: count)
        port = TestPorts.swarm()
        scripts = FileManager.default.temporaryDirectory.path + "/colmeia-mesh-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scripts, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try Self.backendSource.write(toFile: scripts + "/backend.py", atomically: true, encoding: .utf8)
        chmod(scripts + "/backend.py", 0o755)
        var nodes: [DaemonHarness] = []
        for index in 0..<count {
            let node = DaemonHarness(listenIP: namespaces.address(index), clusterPort: port, nodeName: "n\(index + 1)",
                                     netns: namespaces.names[index])
            try node.start(initialize: index == 0)
            nodes.append(node)
        }
        self.nodes = nodes
        let token = try nodes[0].docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        for node in nodes.dropFirst() {
            let joined = try node.docker("swarm", "join", "--token", token, "--listen-addr", node.listenAddress,
                                         "--advertise-addr", node.listenAddress, nodes[0].listenAddress)
            #expect(joined.contains("as a worker"), "\(joined)")
        }
        try MultiManagerTests.eventually("every node is ready", timeout: 30, showingLogsOf: nodes) {
            let states = try nodes[0].run("docker", ["node", "ls", "--format", "{{.Status}}"]).stdout
            return states.split(separator: "\n").filter { $0 == "Ready" }.count == count
        }
    }

    deinit {
        for node in nodes { node.killHard() }
        try? FileManager.default.removeItem(atPath: scripts)
    }

    /// `docker service create` arguments for the backend: `-d`, its environment, its command.
    func backendService(_ name: String, _ flags: [String] = [], proxyProtocol: Bool = false) -> [String] {
        ["service", "create", "-d", "--name", name, "--env", "TASK={{.Task.Name}}"]
            + (proxyProtocol ? ["--env", "PROXY_PROTOCOL=1"] : []) + flags
            + ["busybox", "python3", scripts + "/backend.py"]
    }

    /// The node (by index) whose hostname is `name`.
    func index(ofNodeNamed name: String) -> Int? { nodes.firstIndex { $0.nodeName == name } }

    /// Tasks of a service that are running: name (as the backend reports it) and node.
    func runningTasks(_ service: String) throws -> [(name: String, node: String)] {
        let table = try manager.run("docker", ["service", "ps", service, "--no-trunc", "--filter", "desired-state=running",
                                               "--format", "{{.Name}}.{{.ID}} {{.Node}} {{.CurrentState}}"]).stdout
        return table.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 3, fields[2] == "Running" else { return nil }
            return (String(fields[0]), String(fields[1]))
        }
    }

    /// This node's mesh, as `GET /colmeia/v1/mesh` shows it.
    func mesh(_ index: Int) throws -> [String: Any] {
        let output = try nodes[index].curl(["-sf", "http://localhost/colmeia/v1/mesh"])
        return (try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    /// The counters of `service` on node `index`.
    func counters(_ service: String, on index: Int) throws -> [String: Int] {
        let services = try mesh(index)["services"] as? [[String: Any]] ?? []
        guard let entry = services.first(where: { $0["name"] as? String == service }) else { return [:] }
        return entry.compactMapValues { $0 as? Int }
    }

    /// A small HTTP/1.0 server on 127.0.0.1:$PORT answering `served by $TASK for CLIENT`,
    /// where CLIENT is the peer's address or, with PROXY_PROTOCOL=1, the one its PROXY v2
    /// header names. SIGTERM: it stops accepting and finishes what it took.
    static let backendSource = #"""
    import os, signal, socket, socketserver, struct, threading

    TASK = os.environ.get("TASK") or os.environ.get("COLMEIA_TASK_NAME", "?")
    PORT = int(os.environ.get("PORT", "8000"))
    PROXY = os.environ.get("PROXY_PROTOCOL") == "1"
    SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            client = self.client_address[0]
            if PROXY:
                head = self.rfile.read(16)
                if len(head) < 16 or head[:12] != SIGNATURE:
                    return
                body = self.rfile.read(struct.unpack("!H", head[14:16])[0])
                if head[13] == 0x11:
                    client = socket.inet_ntoa(body[0:4])
            self.rfile.readline()
            while True:
                line = self.rfile.readline()
                if not line or line in (b"\r\n", b"\n"):
                    break
            reply = f"served by {TASK} for {client}\n".encode()
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(reply) + reply)

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = False
        request_queue_size = 256

    if os.environ.get("UDP") == "1":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", PORT))
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        print(f"{TASK} listening on {PORT}/udp", flush=True)
        while True:
            data, peer = sock.recvfrom(2048)
            sock.sendto(f"served by {TASK}: {data.decode(errors='replace')}".encode(), peer)

    server = Server(("127.0.0.1", PORT), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"{TASK} listening on {PORT}", flush=True)
    server.serve_forever(poll_interval=0.05)
    server.server_close()
    """#
}

/// One HTTP GET on a fresh connection, as a user's `curl` would make it.
enum MeshClient {
    /// One datagram to `host:port` and the first one back, within `timeout`.
    static func udp(_ host: String, _ port: Int, _ text: String, timeout: TimeInterval = 1) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case refused
        case failed(String)

        var description: String {
            switch self {
            case .refused: "connection refused"
            case .failed(let why): why
            }
        }
    }

    /// The body of a 200 answer from `host:port`, or why there was none.
    static func get(_ host: String, _ port: Int, timeout: TimeInterval = 5) -> Result<String, Failure> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(.failed("socket: \(errno)")) }
        defer { close(fd) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            return .failure(errno == ECONNREFUSED ? .refused : .failed("connect: \(String(cString: strerror(errno)))"))
        }
        let request = Array("GET / HTTP/1.0\r\nHost: \(host)\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            return .failure(.failed("send: \(String(cString: strerror(errno)))"))
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { break }
            if count < 0 { return .failure(.failed("recv: \(String(cString: strerror(errno))) after \(response.count) bytes")) }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.0 200") || text.hasPrefix("HTTP/1.1 200"),
              let body = text.range(of: "\r\n\r\n") else {
            return .failure(.failed("answer: \(text.isEmpty ? "(nothing, connection closed)" : String(text.prefix(80)))"))
        }
        return .success(String(text[body.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
