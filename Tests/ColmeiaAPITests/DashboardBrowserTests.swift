import Foundation
import Testing

/// The dashboard at `/ui`: its files and session over HTTP (curl), and the page itself in
/// headless Chromium driven by selenium (`dashboard/dashboard_test.py`) against a real
/// 3-manager + 2-worker swarm whose tasks run as processes.
@Suite("dashboard", .serialized)
struct DashboardBrowserTests {
    /// Debian's `chromium` and `chromium-driver`, and Python's `selenium`.
    static let browserAvailable: Bool = {
        let files = FileManager.default
        guard files.isExecutableFile(atPath: "/usr/bin/chromium"), files.isExecutableFile(atPath: "/usr/bin/chromedriver") else {
            return false
        }
        let probe = try? DaemonHarness.run("python3", ["-c", "import selenium"], socket: "/nonexistent", timeout: 60)
        return probe?.status == 0
    }()

    static func json(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(text.prefix(300))")
        }
        return object
    }

    @Test("/ui serves the embedded page, scripts and style with their content types and ETags (304 on a match); the session names the node's kind and the caller's rights; the stream starts with hello; no identity is refused")
    func dashboardFilesSessionAndAccess() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        defer { daemon.stop() }
        for (path, type) in [("/ui", "text/html"), ("/ui/app.js", "text/javascript"), ("/ui/api.js", "text/javascript"),
                             ("/ui/views.js", "text/javascript"), ("/ui/style.css", "text/css")] {
            let headers = try daemon.curl(["-s", "-D", "-", "-o", "/dev/null", "http://localhost" + path]).stdout.lowercased()
            #expect(headers.hasPrefix("http/1.1 200"), "\(path): \(headers)")
            #expect(headers.contains("content-type: \(type)"), "\(path): \(headers)")
            #expect(headers.contains("cache-control: no-cache"), "\(path): \(headers)")
            let etag = try #require(headers.split(separator: "\r\n").first { $0.hasPrefix("etag: ") }.map { String($0.dropFirst(6)) })
            let again = try daemon.curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: \(etag)", "http://localhost" + path])
            #expect(again.stdout == "304", "\(path) with its ETag answered \(again.stdout)")
        }
        let page = try daemon.http("GET", "/ui")
        #expect(page.body.contains(#"<script type="module" src="/ui/app.js">"#))
        #expect(try daemon.http("GET", "/ui/nosuch.js").status == 404)

        let session = try Self.json(daemon.http("GET", "/ui/api/session").body)
        #expect((session["Node"] as? [String: Any])?["Role"] as? String == "manager")
        let allowed = try #require(session["Allowed"] as? [String: Bool])
        #expect(allowed == ["ScaleService": true, "RollbackService": true, "SetNodeAvailability": true, "ReadAudit": true])

        let stream = try daemon.http("GET", "/ui/api/stream?until=\(Int(Date().timeIntervalSince1970))", extra: ["--max-time", "10"])
        #expect(stream.status == 200)
        #expect(stream.body.hasPrefix("id: "), "\(stream.body.prefix(200))")
        #expect(stream.body.contains("event: hello\ndata: {\"Index\":"), "\(stream.body.prefix(200))")

        // A viewer sees the dashboard but may use none of its actions; no identity sees nothing.
        let issued = try Self.json(daemon.http("POST", "/colmeia/v1/tokens", body: #"{"Name":"watcher","Role":"viewer"}"#).body)
        let token = try #require(issued["Token"] as? String)
        let bearer = ["-H", "Authorization: Bearer \(token)"]
        #expect(try daemon.http("GET", "/ui", tcp: true, extra: bearer).status == 200)
        let viewer = try Self.json(daemon.http("GET", "/ui/api/session", tcp: true, extra: bearer).body)
        #expect((viewer["Identity"] as? [String: Any])?["Role"] as? String == "viewer")
        #expect(viewer["Allowed"] as? [String: Bool] == ["ScaleService": false, "RollbackService": false,
                                                          "SetNodeAvailability": false, "ReadAudit": false])
        daemon.stop()
        try daemon.start(insecureTCP: false)
        let anonymous = try daemon.http("GET", "/ui", tcp: true)
        #expect(anonymous.status == 403, "\(anonymous)")
        #expect(anonymous.body.contains("dashboard.read"), "\(anonymous.body)")
    }

    @Test("the dashboard in headless Chromium follows a 3+2 swarm: five node columns, 6 then 9 running cards without a reload, a restart of its manager (reconnected, a service created meanwhile shown), the new leader after a SIGKILL, a rolling update's progress, a diff of two versions, the timeline by actor, no secret in any payload, and a worker that says it is one",
          .enabled(if: browserAvailable, "needs chromium, chromium-driver and python3's selenium"))
    func dashboardFollowsTheSwarmInABrowser() throws {
        let (managers, workers, _) = try MultiManagerTests.swarm(managers: 3, workers: 2)
        defer { for node in managers + workers { node.killHard() } }
        let first = managers[0]
        let secretValue = "dashboard-secret-\(UUID().uuidString)"
        try first.docker(["secret", "create", "dashboard-secret", "-"], stdin: secretValue)
        let serviceID = try first.docker("service", "create", "--detach", "--name", "web", "--replicas", "6",
                                         "--secret", "dashboard-secret", "busybox", "sleep", "100000")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try MultiManagerTests.eventually("six tasks of web run", timeout: 60, showingLogsOf: managers + workers) {
            try first.docker("service", "ps", "web", "--filter", "desired-state=running", "--format", "{{.CurrentState}}")
                .split(separator: "\n").filter { $0.hasPrefix("Running") }.count == 6
        }
        let table = try first.docker("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}")
        let leaderName = try #require(table.split(separator: "\n").first { $0.hasSuffix(" Leader") }?.split(separator: " ").first.map(String.init))
        let leader = try #require(managers.first { $0.nodeName == leaderName })
        let page = try #require(managers.first { $0.nodeName != leaderName })
        let leaderPID = try #require(leader.pid)
        // Who the docker CLI is on the unix socket, as the audit trail names it.
        let created = try Self.json(page.http("GET", "/colmeia/v1/audit?type=service.created&limit=1").body)
        let actor = try #require(((created["Records"] as? [[String: Any]])?.first?["Actor"] as? [String: Any])?["ID"] as? String)

        // The screenshots go where COLMEIA_DASHBOARD_SCREENSHOTS says (docs/ for the README),
        // else to a folder removed afterwards.
        let keptIn = ProcessInfo.processInfo.environment["COLMEIA_DASHBOARD_SCREENSHOTS"]
        let screenshots = keptIn
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("colmeia-dashboard-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        defer { if keptIn == nil { try? FileManager.default.removeItem(atPath: screenshots) } }
        let exchange = FileManager.default.temporaryDirectory.appendingPathComponent("colmeia-dashboard-run-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: exchange, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: exchange) }
        let config: [String: Any] = [
            "uiURL": "http://127.0.0.1:\(page.port)/ui",
            "apiBase": "http://127.0.0.1:\(page.port)",
            "workerURL": "http://127.0.0.1:\(workers[0].port)/ui",
            "socket": page.socket,
            "service": "web",
            "serviceID": serviceID,
            "hostnames": (managers + workers).map(\.nodeName),
            "leaderHostname": leaderName,
            "leaderPID": Int(leaderPID),
            "secretValue": secretValue,
            "actor": actor,
            "screenshots": screenshots,
            "leaderSocket": leader.socket,
            // The script asks for its page's manager to be restarted by creating the first
            // file, and learns it was by the second.
            "restartRequest": exchange + "/restart",
            "restartDone": exchange + "/restarted",
        ]
        let argument = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        let script = try OpenAPICoverageTests.packageRoot().appendingPathComponent("Tests/ColmeiaAPITests/dashboard/dashboard_test.py").path
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        browser.arguments = ["python3", script, argument]
        FileManager.default.createFile(atPath: exchange + "/stdout", contents: nil)
        FileManager.default.createFile(atPath: exchange + "/stderr", contents: nil)
        browser.standardOutput = FileHandle(forWritingAtPath: exchange + "/stdout")
        browser.standardError = FileHandle(forWritingAtPath: exchange + "/stderr")
        try browser.run()
        let deadline = Date().addingTimeInterval(600)
        while browser.isRunning {
            if FileManager.default.fileExists(atPath: exchange + "/restart") {
                try FileManager.default.removeItem(atPath: exchange + "/restart")
                #expect(page.stop() == 0, "the page's manager stopped cleanly")
                try page.start(initialize: false)
                FileManager.default.createFile(atPath: exchange + "/restarted", contents: nil)
            }
            if Date() > deadline { browser.terminate() }
            Thread.sleep(forTimeInterval: 0.1)
        }
        browser.waitUntilExit()
        leader.killHard()
        let stdout = (try? String(contentsOfFile: exchange + "/stdout", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: exchange + "/stderr", encoding: .utf8)) ?? ""
        #expect(browser.terminationStatus == 0, "dashboard_test.py failed:\n\(stderr.suffix(4000))")
        let observed = try Self.json(stdout)
        print("dashboard observations: \(stdout)")
        #expect((observed["screenshots"] as? [String])?.count == 3)
        #expect((observed["payloadsCheckedForSecret"] as? Int ?? 0) >= 6)
        #expect(observed["newLeader"] as? String != leaderName)
    }
}
