import ColmeiaCluster
import Foundation
import Synchronization
import Testing

/// Webhook deploys through the real daemon, driven as a CI system drives them: curl posts
/// signed deliveries to `/colmeia/v1/hooks/NAME`, the service rolls with its own update
/// policy (real containers on a private Docker engine), the deploy is watched to its
/// outcome, and a local receiver gets the signed notification.
@Suite("webhook deploys", .serialized)
struct WebhookDeployTests {
    typealias JSON = [String: Any]

    static func json(_ text: String) throws -> JSON {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? JSON else {
            throw HarnessError("not a JSON object: \(text.prefix(300))")
        }
        return object
    }

    static func colmeia(_ daemon: DaemonHarness, _ arguments: String...) throws -> String {
        let output = try daemon.run(try DaemonHarness.executable("colmeia"), ["-H", "unix://" + daemon.socket] + arguments)
        guard output.status == 0 else { throw HarnessError("colmeia \(arguments.joined(separator: " ")): \(output.stderr)") }
        return output.stdout
    }

    /// One delivery over TCP (so the daemon sees an address): status, body, `Location`.
    static func deliver(_ daemon: DaemonHarness, _ path: String, body: String, headers: [String: String])
        throws -> (status: Int, body: String, location: String?) {
        try deliver(port: daemon.port, path, body: body, headers: headers)
    }

    static func deliver(port: Int, _ path: String, body: String, headers: [String: String])
        throws -> (status: Int, body: String, location: String?) {
        let headerFile = FileManager.default.temporaryDirectory.path + "/hook-headers-\(UUID().uuidString)"
        let bodyFile = headerFile + ".body"
        defer {
            try? FileManager.default.removeItem(atPath: headerFile)
            try? FileManager.default.removeItem(atPath: bodyFile)
        }
        try Data(body.utf8).write(to: URL(fileURLWithPath: bodyFile))
        var arguments = ["curl", "-s", "-X", "POST", "-o", "/dev/stdout", "-w", "\n%{http_code}", "-D", headerFile, "-A", "webhook-test/1.0",
                         "-H", "Content-Type: application/json", "--data-binary", "@" + bodyFile]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let received = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        let location = received.split(separator: "\r\n").first { $0.lowercased().hasPrefix("location:") }
            .map { String($0.dropFirst("location:".count)).trimmingCharacters(in: .whitespaces) }
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"), location)
    }

    /// GitHub's headers for `body`: event, delivery id, and the HMAC of the raw body.
    static func github(_ body: String, secret: String, delivery: String, signature: String? = nil) -> [String: String] {
        ["X-GitHub-Event": "push", "X-GitHub-Delivery": delivery,
         "X-Hub-Signature-256": signature ?? "sha256=" + WebhookSignature.hex(WebhookSignature.mac(Array(body.utf8), secret: secret))]
    }

    static func deploy(_ daemon: DaemonHarness, _ id: String) throws -> JSON {
        let answer = try daemon.http("GET", "/colmeia/v1/deploys/" + id)
        guard answer.status == 200 else { throw HarnessError("GET deploy \(id): \(answer.status) \(answer.body)") }
        return try json(answer.body)
    }

    /// Waits for the deploy's outcome and returns it.
    static func outcome(_ daemon: DaemonHarness, _ id: String, timeout: TimeInterval = 120) throws -> JSON {
        var last: JSON = [:]
        try MultiManagerTests.eventually("deploy \(id) reached an outcome", timeout: timeout, showingLogsOf: [daemon]) {
            last = try deploy(daemon, id)
            return !["updating", "rolling_back"].contains(last["State"] as? String ?? "")
        }
        return last
    }

    static func serviceVersion(_ daemon: DaemonHarness, _ name: String) throws -> Int {
        let service = try json(try daemon.http("GET", "/services/" + name).body)
        return (service["Version"] as? JSON)?["Index"] as? Int ?? -1
    }

    /// A receiver of notifications: a small HTTP server that appends each request (headers
    /// and raw body) to a file and answers 200.
    final class Receiver {
        let port: Int
        let file: String
        private var process: Process?

        init() {
            port = 28_000 + Int.random(in: 0..<1_000)
            file = FileManager.default.temporaryDirectory.path + "/receiver-\(UUID().uuidString).jsonl"
        }

        var url: String { "http://127.0.0.1:\(port)/colmeia-events" }

        func start() throws {
            let script = """
                import http.server, json, sys
                port, out = int(sys.argv[1]), sys.argv[2]
                class Handler(http.server.BaseHTTPRequestHandler):
                    def do_POST(self):
                        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                        with open(out, "a") as f:
                            f.write(json.dumps({"headers": dict(self.headers.items()), "body": body.decode()}) + "\\n")
                        self.send_response(200)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    def log_message(self, *args):
                        pass
                http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, String(port), file]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            self.process = process
        }

        func stop() {
            // SIGKILL: the test process's children may inherit a mask that blocks SIGTERM.
            if let process, process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: file)
        }

        /// What it received: headers and raw body of each POST.
        func received() throws -> [(headers: [String: String], body: String)] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
            return try text.split(separator: "\n").map { line in
                let object = try WebhookDeployTests.json(String(line))
                return (object["headers"] as? [String: String] ?? [:], object["body"] as? String ?? "")
            }
        }
    }

    @Test("a signed GitHub tag push rolls web from localbusybox:1 to localbusybox:2 and completes; the redelivery returns the same deploy and changes nothing; wrong, missing and stale signatures and an oversized body are refused, change nothing and are audited with the source address; an image that cannot start is rolled back and a receiver that was down gets the signed notification when it comes back")
    func githubPushDeploysRollsBackAndNotifies() throws {
        let engine = try DockerEngineHarness.shared.get()
        let daemon = DaemonHarness()
        try daemon.start(executor: "docker", extraArguments: ["--docker-host", "unix://" + engine.socket])
        defer { _ = daemon.stop() }
        let node = try daemon.docker("info", "--format", "{{.Swarm.NodeID}}").trimmingCharacters(in: .whitespacesAndNewlines)
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "3", "--update-parallelism", "1",
                          "--update-delay", "0s", "--update-monitor", "1s", "--update-failure-action", "rollback",
                          "--rollback-monitor", "1s", "localbusybox:1", "sleep", "100000")
        do {
            try MultiManagerTests.eventually("web runs 3 containers", timeout: 60, showingLogsOf: [daemon]) {
                try engine.containers(ofService: "web", node: node).filter { $0.state == "running" }.count == 3
            }
        } catch {
            let tasks = (try? daemon.run("docker", ["service", "ps", "web", "--no-trunc"]).stdout) ?? ""
            let containers = ((try? engine.containers(ofService: "web", node: node)) ?? []).map { "\($0.name) \($0.image) \($0.state)" }
            throw HarnessError("\(error)\n--- service ps web:\n\(tasks)\n--- engine containers of web:\n\(containers.joined(separator: "\n"))")
        }
        let secret = try Self.colmeia(daemon, "webhook", "create", "gh", "--service", "web", "--provider", "github", "--tag", "*", "-q")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.count == 64)
        let genericSecret = try Self.colmeia(daemon, "webhook", "create", "gen", "--service", "web", "-q")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try daemon.http("GET", "/colmeia/v1/webhooks")
        #expect(!listed.body.contains(secret) && !listed.body.contains(genericSecret), "a webhook's secret is shown once")

        // The push of tag 2: a deploy, answered 202 with where to watch it.
        let delivery = UUID().uuidString.lowercased()
        let push = #"{"ref":"refs/tags/2","after":"5d7f3c0f9e1b2a3c4d5e6f708192a3b4c5d6e7f8","repository":{"full_name":"acme/web"}}"#
        let accepted = try Self.deliver(daemon, "/colmeia/v1/hooks/gh", body: push, headers: Self.github(push, secret: secret, delivery: delivery))
        #expect(accepted.status == 202, "\(accepted.body)")
        let answer = try Self.json(accepted.body)
        let deployID = try #require(answer["ID"] as? String)
        #expect(accepted.location == "/colmeia/v1/deploys/" + deployID)
        #expect(answer["Replayed"] as? Bool == false)
        let done = try Self.outcome(daemon, deployID)
        #expect(done["State"] as? String == "completed", "\(done)")
        #expect(done["Image"] as? String == "localbusybox:2" && done["PreviousImage"] as? String == "localbusybox:1")
        #expect((done["Progress"] as? JSON)?["Updated"] as? Int == 3)
        let slots = done["Slots"] as? [JSON] ?? []
        #expect(slots.count == 3 && slots.allSatisfy { $0["Updated"] as? Bool == true && $0["State"] as? String == "running" }, "\(slots)")
        let containers = try engine.containers(ofService: "web", node: node).filter { $0.state == "running" }
        #expect(containers.count == 3 && containers.allSatisfy { $0.image == "localbusybox:2" }, "\(containers)")
        let version = try Self.serviceVersion(daemon, "web")
        #expect(try Self.colmeia(daemon, "deploy", "ls").contains("completed"))
        #expect(try Self.colmeia(daemon, "deploy", "watch", deployID).contains("completed"))

        // The same delivery again: the same deploy, nothing new.
        let again = try Self.deliver(daemon, "/colmeia/v1/hooks/gh", body: push, headers: Self.github(push, secret: secret, delivery: delivery))
        #expect(again.status == 202)
        let replay = try Self.json(again.body)
        #expect(replay["ID"] as? String == deployID && replay["Replayed"] as? Bool == true, "\(replay)")
        #expect(try Self.serviceVersion(daemon, "web") == version)
        // A captured delivery resent under a new delivery id (GitHub signs the body, not the
        // id) is the same delivery: it cannot start another rollout.
        let replayed = try Self.deliver(daemon, "/colmeia/v1/hooks/gh", body: push,
                                        headers: Self.github(push, secret: secret, delivery: UUID().uuidString))
        #expect(try Self.json(replayed.body)["ID"] as? String == deployID, "\(replayed)")
        #expect(try Self.serviceVersion(daemon, "web") == version)

        // Refusals: each 401 (or 413) alike, nothing changes, each is in the audit trail.
        let wrong = try Self.deliver(daemon, "/colmeia/v1/hooks/gh", body: push,
                                     headers: Self.github(push, secret: secret, delivery: UUID().uuidString, signature: "sha256=" + String(repeating: "0", count: 64)))
        var unsigned = Self.github(push, secret: secret, delivery: UUID().uuidString)
        unsigned["X-Hub-Signature-256"] = nil
        let missing = try Self.deliver(daemon, "/colmeia/v1/hooks/gh", body: push, headers: unsigned)
        let staleBody = #"{"tag":"2"}"#
        let staleTime = Int64(Date().timeIntervalSince1970) - 600
        let stale = try Self.deliver(daemon, "/colmeia/v1/hooks/gen", body: staleBody, headers: [
            WebhookSignature.header: WebhookSignature.sign(Array(staleBody.utf8), secret: genericSecret, time: staleTime)])
        let unknown = try Self.deliver(daemon, "/colmeia/v1/hooks/no-such-hook", body: push,
                                       headers: Self.github(push, secret: secret, delivery: UUID().uuidString))
        let huge = #"{"ref":"refs/tags/2","padding":""# + String(repeating: "x", count: 1 << 20) + #""}"#
        let oversized = try Self.deliver(daemon, "/colmeia/v1/hooks/gh", body: huge, headers: Self.github(huge, secret: secret, delivery: UUID().uuidString))
        for refused in [wrong, missing, stale, unknown] {
            #expect(refused.status == 401 && refused.body.contains("webhook authentication failed"), "\(refused)")
        }
        #expect(wrong.body == unknown.body, "an unknown webhook and a bad signature answer alike")
        #expect(oversized.status == 413, "\(oversized)")
        #expect(try Self.serviceVersion(daemon, "web") == version)
        let deploys = try daemon.http("GET", "/colmeia/v1/deploys")
        #expect(try JSONSerialization.jsonObject(with: Data(deploys.body.utf8)) as? [Any] != nil)
        #expect(deploys.body.components(separatedBy: "\"Delivery\"").count - 1 == 1, "one deploy so far: \(deploys.body.prefix(500))")
        var refusals: [[String: Any]] = []
        try MultiManagerTests.eventually("the refusals are in the audit trail", timeout: 10) {
            refusals = try AuditTrailAPITests.all(daemon, "actor_kind=webhook&type=request.refused")
            return refusals.count >= 5
        }
        let reasons = refusals.map { AuditTrailAPITests.details($0)["reason"] ?? "" }
        for expected in ["X-Hub-Signature-256 does not match", "no X-Hub-Signature-256 header", "signature timestamp is", "no such webhook",
                         "body larger than"] {
            #expect(reasons.contains { $0.contains(expected) }, "no refusal saying \(expected): \(reasons)")
        }
        #expect(refusals.allSatisfy { AuditTrailAPITests.details($0)["address"] == "127.0.0.1" })
        #expect(refusals.allSatisfy { AuditTrailAPITests.details($0)["userAgent"] == "webhook-test/1.0" })

        // The webhook is the actor of the update, with the delivery id.
        let updates = try AuditTrailAPITests.all(daemon, "service=web&type=service.updated&actor_kind=webhook")
        #expect(updates.count == 1, "\(updates.count) updates by a webhook")
        if let update = updates.first {
            let details = AuditTrailAPITests.details(update)
            #expect(details["delivery"] == delivery && details["name"] == "gh" && details["provider"] == "github"
                    && details["event"] == "push" && details["address"] == "127.0.0.1", "\(details)")
            #expect(AuditTrailAPITests.actorID(update) == (try Self.json(try daemon.http("GET", "/colmeia/v1/webhooks/gh").body))["ID"] as? String)
        }

        // An image that cannot start: the update fails and rolls back; the receiver is down.
        let receiver = Receiver()
        defer { receiver.stop() }
        let receiverSecret = try Self.colmeia(daemon, "notify", "create", "ci-chat", "--url", receiver.url,
                                              "--event", "deploy.rolled_back", "--event", "deploy.completed", "-q")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let brokenPush = #"{"ref":"refs/tags/broken","after":"0000000000000000000000000000000000000001"}"#
        let brokenDelivery = UUID().uuidString.lowercased()
        let started = try Self.deliver(daemon, "/colmeia/v1/hooks/gh", body: brokenPush,
                                       headers: Self.github(brokenPush, secret: secret, delivery: brokenDelivery))
        #expect(started.status == 202, "\(started.body)")
        let brokenID = try #require(try Self.json(started.body)["ID"] as? String)
        let rolledBack = try Self.outcome(daemon, brokenID)
        #expect(rolledBack["State"] as? String == "rolled_back", "\(rolledBack)")
        #expect((rolledBack["Message"] as? String ?? "").contains("rolled back"), "\(rolledBack)")
        let service = try Self.json(try daemon.http("GET", "/services/web").body)
        let image = ((((service["Spec"] as? JSON)?["TaskTemplate"] as? JSON)?["ContainerSpec"] as? JSON)?["Image"] as? String)
        #expect(image == "localbusybox:2", "the rollback restored the previous image")

        var log: [[String: Any]] = []
        try MultiManagerTests.eventually("the notification was tried at least twice while the receiver was down", timeout: 30) {
            log = try JSONSerialization.jsonObject(with: Data(Self.colmeia(daemon, "notify", "deliveries", "ci-chat", "--format", "json").utf8)) as? [[String: Any]] ?? []
            return log.count == 1 && (log[0]["Attempts"] as? Int ?? 0) >= 2
        }
        #expect(log.first?["State"] as? String == "pending" && !((log.first?["LastError"] as? String) ?? "").isEmpty, "\(log)")
        try receiver.start()
        var received: [(headers: [String: String], body: String)] = []
        try MultiManagerTests.eventually("the receiver got the notification after it came back", timeout: 90, showingLogsOf: [daemon]) {
            received = try receiver.received()
            return !received.isEmpty
        }
        let message = try #require(received.first)
        func header(_ name: String) -> String? { message.headers.first { $0.key.lowercased() == name.lowercased() }?.value }
        #expect(header("X-Colmeia-Event") == "deploy.rolled_back")
        let now = Int64(Date().timeIntervalSince1970)
        #expect(throws: Never.self, "the receiver verifies the signature with its secret") {
            try WebhookSignature.verify(header(WebhookSignature.header), body: Array(message.body.utf8), secret: receiverSecret, now: now)
        }
        #expect(throws: WebhookSignature.Failure.mismatch) {
            try WebhookSignature.verify(header(WebhookSignature.header), body: Array((message.body + " ").utf8), secret: receiverSecret, now: now)
        }
        let payload = try Self.json(message.body)
        #expect(payload["Event"] as? String == "deploy.rolled_back")
        #expect((payload["Deploy"] as? JSON)?["ID"] as? String == brokenID)
        try MultiManagerTests.eventually("the delivery log says delivered", timeout: 10) {
            let log = try JSONSerialization.jsonObject(with: Data(Self.colmeia(daemon, "notify", "deliveries", "ci-chat", "--format", "json").utf8)) as? [[String: Any]] ?? []
            return log.first?["State"] as? String == "delivered" && log.first?["LastStatus"] as? Int == 200
        }
        #expect(received.count == 1, "one notification, delivered once")
    }

    @Test("twenty concurrent deliveries for twenty services, each sent twice at once, start twenty deploys that all complete, each service updated exactly once")
    func twentyConcurrentDeliveries() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        defer { _ = daemon.stop() }
        var secrets: [String] = []
        for index in 0..<20 {
            try daemon.docker("service", "create", "--detach", "--name", "app\(index)", "--update-monitor", "1s", "ns/app:1", "sleep", "100000")
            secrets.append(try Self.colmeia(daemon, "webhook", "create", "hook\(index)", "--service", "app\(index)", "-q")
                .trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let answers = Mutex<[Int: [String]]>([:])
        let port = daemon.port
        let keys = secrets
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 40) { attempt in
            let index = attempt % 20
            let body = #"{"tag":"2"}"#
            let headers = [WebhookSignature.header: WebhookSignature.sign(Array(body.utf8), secret: keys[index], time: Int64(Date().timeIntervalSince1970)),
                           "Idempotency-Key": "release-\(index)"]
            do {
                let answer = try Self.deliver(port: port, "/colmeia/v1/hooks/hook\(index)", body: body, headers: headers)
                guard answer.status == 202 else { throw HarnessError("hook\(index): \(answer.status) \(answer.body)") }
                answers.withLock { $0[index, default: []].append(answer.body) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        let byService = answers.withLock { $0 }
        var deployIDs: [String] = []
        for index in 0..<20 {
            let pair = try (byService[index] ?? []).map(Self.json)
            #expect(pair.count == 2 && Set(pair.compactMap { $0["ID"] as? String }).count == 1, "hook\(index): \(pair)")
            #expect(pair.filter { $0["Replayed"] as? Bool == false }.count == 1, "hook\(index): exactly one started the deploy")
            if let id = pair.first?["ID"] as? String { deployIDs.append(id) }
        }
        for id in deployIDs {
            #expect(try Self.outcome(daemon, id)["State"] as? String == "completed")
        }
        let all = try JSONSerialization.jsonObject(with: Data(try daemon.http("GET", "/colmeia/v1/deploys").body.utf8)) as? [JSON] ?? []
        #expect(all.count == 20)
        for index in 0..<20 {
            let updates = try AuditTrailAPITests.all(daemon, "service=app\(index)&type=service.updated&actor_kind=webhook")
            #expect(updates.count == 1, "app\(index) was updated \(updates.count) times by its webhook")
            let image = try Self.json(try daemon.http("GET", "/services/app\(index)").body)
            #expect(image.description.contains("ns/app:2"))
        }
    }

    @Test("the leader is killed in the middle of a webhook-started rollout: the deploy still reaches its outcome under the new leader, and every manager shows it")
    func leaderKilledDuringRollout() throws {
        let (managers, _, _) = try MultiManagerTests.swarm(managers: 3)
        defer { for manager in managers { _ = manager.stop() } }
        let leader = managers[0]
        // The tasks stay off the manager that will be killed: the rollout is what is tested.
        try leader.docker("service", "create", "--detach", "--name", "web", "--replicas", "4", "--update-parallelism", "1",
                          "--update-delay", "2s", "--update-monitor", "1s", "--constraint", "node.hostname!=node-1",
                          "busybox:1", "sleep", "100000")
        try MultiManagerTests.eventually("web runs 4 tasks", timeout: 60) {
            try OrchestrationTests().running(leader, "web").count == 4
        }
        let secret = try Self.colmeia(leader, "webhook", "create", "web-hook", "--service", "web", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        let body = #"{"image":"busybox:2"}"#
        // Delivered to a follower, which forwards the write to the leader.
        let accepted = try Self.deliver(managers[1], "/colmeia/v1/hooks/web-hook", body: body, headers: [
            WebhookSignature.header: WebhookSignature.sign(Array(body.utf8), secret: secret, time: Int64(Date().timeIntervalSince1970))])
        #expect(accepted.status == 202, "\(accepted.body)")
        let id = try #require(try Self.json(accepted.body)["ID"] as? String)
        try MultiManagerTests.eventually("the rollout has begun", timeout: 30) {
            ((try Self.deploy(managers[1], id))["Progress"] as? JSON)?["Updated"] as? Int ?? 0 >= 1
        }
        let midway = try Self.deploy(managers[1], id)
        #expect(midway["State"] as? String == "updating", "\(midway)")
        leader.killHard()
        for manager in managers.dropFirst() {
            let outcome = try Self.outcome(manager, id, timeout: 120)
            #expect(outcome["State"] as? String == "completed", "\(manager.nodeName): \(outcome)")
            #expect((outcome["Progress"] as? JSON)?["Updated"] as? Int == 4)
        }
        let running = try OrchestrationTests().running(managers[1], "web")
        #expect(running.count == 4)
        let table = try managers[1].docker("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}")
        #expect(table.contains("node-2 Leader") || table.contains("node-3 Leader"), "\(table)")
    }
}
