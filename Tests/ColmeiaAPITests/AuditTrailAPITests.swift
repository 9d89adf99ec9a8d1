import Foundation
import Testing

/// The audit trail through the real daemon: who made each change (docker CLI on the unix
/// socket, curl over TCP, a TLS client certificate, the reconcilers), the filters and pages
/// of `/colmeia/v1/audit`, `follow`, reads as of an index (`?at=`) across snapshots and a
/// restart, rollback to any version, the hash chain on three managers and on a tampered
/// disk, retention, and bad input.
@Suite(.serialized) struct AuditTrailAPITests {
    typealias Record = [String: Any]

    static let secretText = "hunter2-audit-marker"

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// Every record matching `query`, following the pages' cursors.
    static func all(_ daemon: DaemonHarness, _ query: String, pageSize: Int = 1_000) throws -> [Record] {
        var records: [Record] = []
        var cursor: String?
        repeat {
            let path = "/colmeia/v1/audit?limit=\(pageSize)" + (query.isEmpty ? "" : "&" + query) + (cursor.map { "&cursor=" + $0 } ?? "")
            let answer = try daemon.http("GET", path)
            guard answer.status == 200, let page = try json(answer.body) as? [String: Any] else {
                throw HarnessError("GET \(path): \(answer.status) \(answer.body.prefix(300))")
            }
            records += page["Records"] as? [Record] ?? []
            cursor = page["Next"] as? String
        } while cursor != nil
        return records
    }

    static func position(_ record: Record) -> String { "\(record["Index"] ?? "").\(record["Ordinal"] ?? "")" }

    static func patchPaths(_ record: Record) -> [String] {
        (record["Patch"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    }

    static func details(_ record: Record) -> [String: String] {
        (record["Actor"] as? [String: Any])?["Details"] as? [String: String] ?? [:]
    }

    static func actorID(_ record: Record) -> String { (record["Actor"] as? [String: Any])?["ID"] as? String ?? "" }

    static func objectName(_ record: Record) -> String { (record["Object"] as? [String: Any])?["Name"] as? String ?? "" }

    static func serviceVersion(_ daemon: DaemonHarness, _ name: String) throws -> (id: String, version: Int, spec: [String: Any]) {
        let answer = try daemon.http("GET", "/services/\(name)")
        guard let service = try json(answer.body) as? [String: Any], let id = service["ID"] as? String,
              let version = (service["Version"] as? [String: Any])?["Index"] as? Int, let spec = service["Spec"] as? [String: Any] else {
            throw HarnessError("GET /services/\(name): \(answer.body.prefix(300))")
        }
        return (id, version, spec)
    }

    @Test("records name their author exactly: docker over the unix socket, curl over TCP, the reconcilers; request ids and user agents; JSON Patches; filters, pages and follow return exactly the expected records; secret data appears nowhere")
    func actorsPatchesFiltersAndFollow() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        // docker over the unix socket.
        try daemon.docker("service", "create", "-d", "--name", "web", "--replicas", "1", "busybox:1", "sleep", "1000")
        try daemon.docker("secret", "create", "db-password", "-", stdin: Self.secretText)
        // curl over TCP, with its own request id and user agent: three replicas.
        var (id, version, spec) = try Self.serviceVersion(daemon, "web")
        spec["Mode"] = ["Replicated": ["Replicas": 3]]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let updated = try daemon.http("POST", "/services/\(id)/update?version=\(version)", body: body, tcp: true,
                                      extra: ["-H", "X-Request-Id: audit-test-1", "-A", "audit-test/1.0", "-D", "/dev/stderr"])
        #expect(updated.status == 200, "\(updated.body)")
        // Every answer echoes a request id, generated when the client sent none.
        let headers = try daemon.curl(["-s", "-D", "-", "-o", "/dev/null", "http://localhost/services"])
        #expect(headers.stdout.lowercased().contains("x-request-id: "), "\(headers.stdout)")
        let echoed = try daemon.curl(["-s", "-D", "-", "-o", "/dev/null", "-H", "X-Request-Id: mine-42", "http://localhost/_ping"])
        #expect(echoed.stdout.contains("X-Request-Id: mine-42"), "\(echoed.stdout)")
        try MultiManagerTests.eventually("three tasks of web run", timeout: 60, showingLogsOf: [daemon]) {
            try daemon.docker("service", "ps", "web", "--filter", "desired-state=running", "--format", "{{.CurrentState}}")
                .split(separator: "\n").filter { $0.hasPrefix("Running") }.count == 3
        }

        let everything = try Self.all(daemon, "order=asc")
        // The service's creation: the docker CLI, as root, on the unix socket.
        let created = try #require(everything.first { $0["Type"] as? String == "service.created" })
        #expect(Self.actorID(created) == "root")
        #expect((created["Actor"] as? [String: Any])?["Kind"] as? String == "user")
        let unix = Self.details(created)
        #expect(unix["transport"] == "unix" && unix["uid"] == "0" && unix["process"] == "docker", "\(unix)")
        #expect((created["UserAgent"] as? String)?.hasPrefix("Docker-Client/") == true, "\(created["UserAgent"] ?? "")")
        #expect((created["RequestID"] as? String)?.isEmpty == false)
        #expect(Self.objectName(created) == "web" && created["Patch"] == nil)
        // The update over TCP: its address, request id, user agent and exactly this patch.
        let update = try #require(everything.first { $0["Type"] as? String == "service.updated" && $0["RequestID"] as? String == "audit-test-1" })
        let tcp = Self.details(update)
        #expect(tcp["transport"] == "tcp" && tcp["address"] == "127.0.0.1", "\(tcp)")
        #expect(update["UserAgent"] as? String == "audit-test/1.0")
        #expect(Self.patchPaths(update) == ["/PreviousSpec", "/Spec/Mode/Replicated/Replicas", "/UpdatedAt", "/Version/Index"],
                "\(Self.patchPaths(update))")
        let replicas = (update["Patch"] as? [[String: Any]])?.first { $0["path"] as? String == "/Spec/Mode/Replicated/Replicas" }
        #expect(replicas?["op"] as? String == "replace" && replicas?["value"] as? Int == 3)
        // The reconcilers: the orchestrator creates tasks, the scheduler assigns them, the
        // node's agent reports their states.
        let tasks = everything.filter { ($0["Object"] as? [String: Any])?["Kind"] as? String == "task" }
        #expect(tasks.filter { $0["Type"] as? String == "task.created" }.allSatisfy { Self.actorID($0) == "orchestrator" })
        #expect(tasks.filter { $0["Type"] as? String == "task.assigned" }.allSatisfy { Self.actorID($0) == "scheduler" })
        #expect(tasks.filter { $0["Type"] as? String == "task.created" }.count == 3)
        #expect(tasks.allSatisfy { $0["ServiceID"] as? String == id })

        // Filters return exactly the records that match, pages and orders included.
        func expectSame(_ query: String, _ expected: [Record], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let got = try Self.all(daemon, query + "&order=asc", pageSize: 2)
            #expect(got.map(Self.position) == expected.map(Self.position), "\(query)", sourceLocation: sourceLocation)
        }
        try expectSame("service=web", everything.filter { $0["ServiceID"] as? String == id })
        try expectSame("actor=root", everything.filter { Self.actorID($0) == "root" })
        try expectSame("actor=orchestrator&type=task.created", tasks.filter { $0["Type"] as? String == "task.created" })
        try expectSame("type=service", everything.filter { ($0["Type"] as? String)?.hasPrefix("service.") == true })
        try expectSame("kind=secret", everything.filter { ($0["Object"] as? [String: Any])?["Kind"] as? String == "secret" })
        try expectSame("name=web", everything.filter { Self.objectName($0) == "web" })
        try expectSame("actor_kind=reconciler", everything.filter { ($0["Actor"] as? [String: Any])?["Kind"] as? String == "reconciler" })
        let middle = everything[everything.count / 2]["Index"] as? Int ?? 0
        try expectSame("from_index=\(middle)&to_index=\(middle + 2)",
                       everything.filter { ($0["Index"] as? Int).map { $0 >= middle && $0 <= middle + 2 } ?? false })
        let since = try #require(everything[everything.count / 2]["Time"] as? String)
        let sinceNano = everything[everything.count / 2]["TimeNano"] as? Int ?? 0
        try expectSame("since=\(since)", everything.filter { ($0["TimeNano"] as? Int ?? 0) >= sinceNano })
        // Newest first is the default, and the reverse of oldest first.
        let newest = try Self.all(daemon, "", pageSize: 3)
        #expect(newest.map(Self.position) == everything.reversed().map(Self.position))

        // follow: a change made after the stream opened arrives on it, once applied.
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        follower.arguments = ["curl", "-sN", "--unix-socket", daemon.socket, "http://localhost/colmeia/v1/audit?follow=true&type=config"]
        let pipe = Pipe()
        follower.standardOutput = pipe
        try follower.run()
        defer { follower.terminate() }
        Thread.sleep(forTimeInterval: 0.5)
        let started = Date()
        try daemon.docker("config", "create", "site", "-", stdin: "hello")
        let line = try Self.readLine(pipe, timeout: 30)
        let delay = Date().timeIntervalSince(started)
        let followed = try #require(try Self.json(line) as? Record)
        #expect(followed["Type"] as? String == "config.created" && Self.objectName(followed) == "site")
        print("follow: config.created arrived \(Int(delay * 1000)) ms after `docker config create` was started")

        // Secret data is nowhere: not in the trail, its export or the service history.
        let secretBase64 = Data(Self.secretText.utf8).base64EncodedString()
        let answers = [try daemon.http("GET", "/colmeia/v1/audit?limit=1000").body,
                       try daemon.http("GET", "/colmeia/v1/audit/export").body,
                       try daemon.http("GET", "/colmeia/v1/services/web/history").body, line]
        for answer in answers {
            #expect(!answer.contains(Self.secretText) && !answer.contains(secretBase64))
        }
        #expect(answers[1].contains("db-password"), "the secret's creation is in the export, without its data")

        // The CLI reads the same trail.
        let colmeia = try DaemonHarness.executable("colmeia")
        let listed = try daemon.run(colmeia, ["-H", "unix://" + daemon.socket, "audit", "ls", "--service", "web", "--type", "service.updated"])
        #expect(listed.status == 0 && listed.stdout.contains("/Spec/Mode/Replicated/Replicas"), "\(listed.stdout)\(listed.stderr)")
        let verified = try daemon.run(colmeia, ["-H", "unix://" + daemon.socket, "audit", "verify"])
        #expect(verified.status == 0 && verified.stdout.contains("audit trail verified"), "\(verified.stdout)\(verified.stderr)")
        let file = FileManager.default.temporaryDirectory.path + "/audit-\(UUID().uuidString).ndjson"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let exported = try daemon.run(colmeia, ["-H", "unix://" + daemon.socket, "audit", "export", "-o", file])
        #expect(exported.status == 0, "\(exported.stderr)")
        let offline = try daemon.run(colmeia, ["audit", "verify", "--file", file])
        #expect(offline.status == 0 && offline.stdout.contains("verified"), "\(offline.stdout)\(offline.stderr)")
        // An exported record changed afterwards is caught without the cluster.
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "audit-test-1", with: "audit-test-X")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let altered = try daemon.run(colmeia, ["audit", "verify", "--file", file])
        #expect(altered.status != 0, "\(altered.stdout)")
    }

    /// One line from `pipe`, waiting at most `timeout` seconds.
    static func readLine(_ pipe: Pipe, timeout: TimeInterval) throws -> String {
        let box = LineBox()
        let reader = Thread {
            var buffer = Data()
            while true {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                if let newline = buffer.firstIndex(of: 0x0A) {
                    box.set(String(decoding: buffer[..<newline], as: UTF8.self))
                    return
                }
            }
            box.set(nil)
        }
        reader.start()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = box.value { return try line ?? { throw HarnessError("the follow stream ended") }() }
            Thread.sleep(forTimeInterval: 0.005)
        }
        throw HarnessError("no record on the follow stream within \(timeout) s")
    }

    final class LineBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: String??

        var value: String?? { lock.withLock { stored } }
        func set(_ line: String?) { lock.withLock { stored = .some(line) } }
    }

    @Test("a TLS client certificate is named by its subject")
    func certificateActor() throws {
        let certificates = try AccessRolesTests.Certificates()
        let daemon = DaemonHarness()
        try daemon.start(insecureTCP: false, extraArguments: [
            "--tls-cert", certificates.path("server.pem"),
            "--tls-key", certificates.path("server-key.pem"), "--tls-ca", certificates.path("ca.pem"),
        ])
        let created = try daemon.run("curl", ["-s", "--cacert", certificates.path("ca.pem"), "--cert", certificates.path("operator.pem"),
                                              "--key", certificates.path("operator-key.pem"), "-H", "Content-Type: application/json",
                                              "-H", "X-Request-Id: tls-1", "-X", "POST", "--data", #"{"Name":"from-tls","Data":"eA=="}"#,
                                              "https://127.0.0.1:\(daemon.port)/configs/create"])
        #expect(created.status == 0 && created.stdout.contains("ID"), "\(created.stdout)")
        let records = try Self.all(daemon, "kind=config")
        let record = try #require(records.first)
        #expect(Self.actorID(record) == "operator-user")
        let details = Self.details(record)
        #expect(details["transport"] == "tls" && details["subject"]?.contains("CN=operator-user") == true
                && details["subject"]?.contains("OU=operator") == true && details["address"] == "127.0.0.1", "\(details)")
        #expect(record["RequestID"] as? String == "tls-1")
    }

    /// The read models as the API answers them, keyed by path.
    static let kinds = ["/services", "/services?status=true", "/tasks", "/nodes", "/secrets", "/configs", "/networks"]

    static func capture(_ daemon: DaemonHarness) throws -> (index: Int, answers: [String: NSObject]) {
        for _ in 0..<50 {
            let before = try Self.head(daemon)
            var answers: [String: NSObject] = [:]
            for path in kinds { answers[path] = try json(try daemon.http("GET", path).body) as? NSObject }
            if try Self.head(daemon) == before { return (before, answers) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw HarnessError("the log kept moving while the read models were read")
    }

    static func head(_ daemon: DaemonHarness) throws -> Int {
        let page = try json(try daemon.http("GET", "/colmeia/v1/audit?limit=1").body) as? [String: Any]
        return ((page?["Records"] as? [Record])?.first?["Index"] as? Int) ?? 0
    }

    static func converge(_ daemon: DaemonHarness, _ service: String, env: String, count: Int) throws {
        try MultiManagerTests.eventually("\(service) runs \(count) tasks with \(env)", timeout: 60, showingLogsOf: [daemon]) {
            let tasks = try json(try daemon.http("GET", "/tasks").body) as? [Record] ?? []
            let running = tasks.filter { task in
                (task["Status"] as? [String: Any])?["State"] as? String == "running" && task["DesiredState"] as? String == "running"
            }
            let settled = tasks.allSatisfy { task in
                let state = (task["Status"] as? [String: Any])?["State"] as? String ?? ""
                return task["DesiredState"] as? String != "running" || state == "running" || state == "failed"
            }
            let envs = running.map { ((($0["Spec"] as? [String: Any])?["ContainerSpec"] as? [String: Any])?["Env"] as? [String]) ?? [] }
            return settled && running.count == count && envs.allSatisfy { $0 == [env] }
        }
    }

    @Test("?at= answers equal the live answers captured at that index, for every kind, after a snapshot, log compaction and a restart; rollback --to-version restores a spec three versions back and the tasks converge to it")
    func timeTravelAndRollback() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try MultiManagerTests.setSnapshots(on: daemon, interval: 20, slowFollowers: 5)
        var captures: [(index: Int, answers: [String: NSObject])] = []
        try daemon.docker("network", "create", "-d", "overlay", "backend")
        try daemon.docker("secret", "create", "token", "-", stdin: "s3cr3t")
        try daemon.docker("service", "create", "-d", "--name", "api", "--env", "V=1", "busybox:1", "sleep", "1000")
        try Self.converge(daemon, "api", env: "V=1", count: 1)
        captures.append(try Self.capture(daemon))
        try daemon.docker("service", "update", "-d", "--env-rm", "V", "--env-add", "V=2", "api")
        try Self.converge(daemon, "api", env: "V=2", count: 1)
        try daemon.docker("config", "create", "settings", "-", stdin: "x=1")
        captures.append(try Self.capture(daemon))
        try daemon.docker("service", "update", "-d", "--env-rm", "V", "--env-add", "V=3", "--replicas", "2", "api")
        try Self.converge(daemon, "api", env: "V=3", count: 2)
        try daemon.docker("secret", "rm", "token")
        captures.append(try Self.capture(daemon))
        try daemon.docker("service", "update", "-d", "--env-rm", "V", "--env-add", "V=4", "api")
        try Self.converge(daemon, "api", env: "V=4", count: 2)

        func expectEqual(_ label: String) throws {
            for capture in captures {
                for path in Self.kinds {
                    let separator = path.contains("?") ? "&" : "?"
                    let answer = try daemon.http("GET", path + separator + "at=\(capture.index)")
                    #expect(answer.status == 200, "\(label) \(path) at \(capture.index): \(answer.body.prefix(200))")
                    let past = try Self.json(answer.body) as? NSObject
                    #expect(past == capture.answers[path], "\(label): GET \(path)?at=\(capture.index) differs from what was live then")
                }
            }
            // Inspect as of an index, and a time.
            let first = try #require(captures.first)
            let inspected = try Self.json(try daemon.http("GET", "/services/api?at=\(first.index)").body) as? [String: Any]
            let env = ((inspected?["Spec"] as? [String: Any])?["TaskTemplate"] as? [String: Any])?["ContainerSpec"] as? [String: Any]
            #expect(env?["Env"] as? [String] == ["V=1"], "\(label)")
        }
        try expectEqual("before compaction")
        // More writes than the snapshot interval: the early entries leave the Raft log.
        for index in 0..<30 { try daemon.docker("config", "create", "filler-\(index)", "-", stdin: "\(index)") }
        try MultiManagerTests.eventually("a snapshot is taken", timeout: 30) {
            !(try FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory + "/raft/snap")).isEmpty
        }
        try expectEqual("after compaction")
        #expect(daemon.stop() == 0)
        try daemon.start(initialize: false)
        try MultiManagerTests.eventually("the restarted daemon answers", timeout: 30) {
            try daemon.http("GET", "/services").status == 200
        }
        try expectEqual("after a restart")

        // Versions 1…4 (V=1, V=2, V=3 with 2 replicas, V=4): back to version 1.
        let colmeia = try DaemonHarness.executable("colmeia")
        let history = try daemon.run(colmeia, ["-H", "unix://" + daemon.socket, "service", "history", "api"])
        #expect(history.stdout.split(separator: "\n").count == 5, "\(history.stdout)")
        let diff = try daemon.run(colmeia, ["-H", "unix://" + daemon.socket, "service", "diff", "api", "--from", "1", "--to", "3"])
        #expect(diff.stdout.contains("/TaskTemplate/ContainerSpec/Env/0: \"V=3\"") && diff.stdout.contains("/Mode/Replicated/Replicas: 2"),
                "\(diff.stdout)\(diff.stderr)")
        let rolled = try daemon.run(colmeia, ["-H", "unix://" + daemon.socket, "service", "rollback", "api", "--to-version", "1", "-d"])
        #expect(rolled.status == 0, "\(rolled.stderr)")
        try Self.converge(daemon, "api", env: "V=1", count: 1)
        let after = try Self.json(try daemon.http("GET", "/colmeia/v1/services/api/history").body) as? [String: Any]
        let versions = after?["Versions"] as? [Record] ?? []
        #expect(versions.count == 5)
        #expect((versions.last?["Spec"] as? NSObject) == (versions.first?["Spec"] as? NSObject), "version 5 is version 1 again")
        #expect(try daemon.run(colmeia, ["-H", "unix://" + daemon.socket, "service", "ls", "--at", "\(captures[0].index)"]).stdout
            .contains("api"))
    }

    @Test("verify passes with the same chain head on three managers; an altered row, and retention's archive with one flipped byte, name the record that broke")
    func chainOnManagersAndTamperedDisk() throws {
        let (managers, _, _) = try MultiManagerTests.swarm(managers: 3)
        try managers[0].docker("service", "create", "-d", "--name", "chained", "--replicas", "2", "busybox:1", "sleep", "1000")
        try managers[1].docker("config", "create", "c1", "-", stdin: "1")
        var heads: [String] = []
        try MultiManagerTests.eventually("every manager holds the same chain head", timeout: 30, showingLogsOf: managers) {
            heads = try managers.map { manager in
                let answer = try Self.json(try manager.http("GET", "/colmeia/v1/audit/verify").body) as? [String: Any]
                guard answer?["Valid"] as? Bool == true else { return "invalid" }
                return "\(((answer?["Head"] as? [String: Any])?["Index"]) ?? "")/\(answer?["HeadHash"] ?? "")"
            }
            return Set(heads).count == 1 && heads[0] != "invalid"
        }
        for manager in managers { _ = manager.stop() }

        // One node, retention on: old records go to the archive; verify still passes.
        let daemon = DaemonHarness()
        try daemon.start(extraArguments: ["--audit-retention-records", "40"])
        for index in 0..<150 { try daemon.docker("config", "create", "c-\(index)", "-", stdin: "\(index)") }
        let archive = daemon.dataDirectory + "/audit-archive"
        try MultiManagerTests.eventually("retention archives old records", timeout: 60, showingLogsOf: [daemon]) {
            !(try FileManager.default.contentsOfDirectory(atPath: archive)).filter { $0.hasSuffix(".cas") }.isEmpty
        }
        let verified = try Self.json(try daemon.http("GET", "/colmeia/v1/audit/verify").body) as? [String: Any]
        #expect(verified?["Valid"] as? Bool == true, "\(verified ?? [:])")
        #expect((verified?["ArchivedRecords"] as? Int ?? 0) > 40)
        // Archived history still answers queries.
        let oldest = try Self.all(daemon, "order=asc&kind=config&limit=5", pageSize: 5)
        #expect(oldest.count >= 150 && Self.objectName(oldest[0]) == "c-0")

        // One row of audit_events altered on disk.
        let database = daemon.dataDirectory + "/state.db"
        let target = try #require(try Self.all(daemon, "kind=config&name=c-149").first)
        let index = target["Index"] as? Int ?? 0
        let edit = try daemon.run("python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE audit_events SET actor_id = 'mallory' WHERE raft_index = ?", (int(sys.argv[2]),))
            db.commit()
            """, database, String(index)])
        #expect(edit.status == 0, "\(edit.stderr)")
        let broken = try Self.json(try daemon.http("GET", "/colmeia/v1/audit/verify").body) as? [String: Any]
        #expect(broken?["Valid"] as? Bool == false)
        #expect((broken?["Broken"] as? [String: Any])?["Index"] as? Int == index, "\(broken ?? [:])")
        let colmeia = try DaemonHarness.executable("colmeia")
        let cli = try daemon.run(colmeia, ["-H", "unix://" + daemon.socket, "audit", "verify"])
        #expect(cli.status != 0 && cli.stderr.contains("\(index).0"), "\(cli.stderr)")
        _ = try daemon.run("python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE audit_events SET actor_id = 'root' WHERE raft_index = ?", (int(sys.argv[2]),))
            db.commit()
            """, database, String(index)])
        #expect((try Self.json(try daemon.http("GET", "/colmeia/v1/audit/verify").body) as? [String: Any])?["Valid"] as? Bool == true)

        // One byte of an archived segment flipped.
        let segments = try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".cas") }.sorted()
        let segment = try #require(segments.last)
        let parts = segment.dropFirst("segment-".count).dropLast(".cas".count).split(separator: "-").compactMap { Int($0) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive + "/" + segment))
        bytes[bytes.count / 3] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: archive + "/" + segment))
        let damaged = try Self.json(try daemon.http("GET", "/colmeia/v1/audit/verify").body) as? [String: Any]
        #expect(damaged?["Valid"] as? Bool == false)
        let brokenIndex = (damaged?["Broken"] as? [String: Any])?["Index"] as? Int ?? -1
        #expect(parts.count == 2 && brokenIndex >= parts[0] && brokenIndex <= parts[1], "\(damaged ?? [:]) \(segment)")
        #expect((damaged?["Reason"] as? String)?.contains(segment) == true)
    }

    @Test("bad audit input is a 400 naming the problem, never a 500")
    func badInput() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "-d", "--name", "bad", "busybox:1", "sleep", "1000")
        let cases: [(String, String)] = [
            ("/colmeia/v1/audit?colour=red", "unknown audit filter"),
            ("/colmeia/v1/audit?from_index=999999", "beyond the log"),
            ("/colmeia/v1/audit?cursor=12", "malformed cursor"),
            ("/colmeia/v1/audit?cursor=a.b", "malformed cursor"),
            ("/colmeia/v1/audit?limit=0", "invalid limit"),
            ("/colmeia/v1/audit?limit=abc", "invalid limit"),
            ("/colmeia/v1/audit?order=sideways", "invalid order"),
            ("/colmeia/v1/audit?kind=planet", "invalid kind"),
            ("/colmeia/v1/audit?since=yesterday", "invalid since"),
            ("/colmeia/v1/audit?outcome=maybe", "invalid outcome"),
            ("/colmeia/v1/audit?follow=perhaps", "invalid follow"),
            ("/services?at=999999", "beyond the log"),
            ("/services?at=1999-01-01T00:00:00Z", "before the first record"),
            ("/tasks?at=not-a-time", "invalid at"),
            ("/colmeia/v1/services/bad/diff?from=7", "has versions 1 to"),
        ]
        for (path, words) in cases {
            let answer = try daemon.http("GET", path)
            #expect(answer.status == 400 && answer.body.contains(words), "\(path): \(answer.status) \(answer.body)")
        }
        #expect(try daemon.http("GET", "/colmeia/v1/services/nothing-here/history").status == 404)
    }
}
