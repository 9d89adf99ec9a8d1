import Foundation
import Testing
@testable import ColmeiaAPI
@testable import ColmeiaCluster

/// What another local user can get at: nothing. The data directory, the in-memory read
/// models and the socket are the daemon's (and the socket group's) alone, a read-model
/// directory planted by someone else stops the daemon, and process tasks run as their user.
@Suite(.serialized) struct LocalAccessTests {
    let orchestration = OrchestrationTests()

    /// Runs a command as `nobody` (uid and gid 65534, no supplementary groups).
    static func asNobody(_ arguments: [String]) throws -> DaemonHarness.Output {
        try DaemonHarness.run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--"] + arguments, socket: "")
    }

    /// The in-memory read-model directory of a daemon, from its identity.
    static func readModels(of daemon: DaemonHarness) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: daemon.dataDirectory + "/node-identity.json"))
        let identity = try JSONDecoder().decode(NodeIdentity.self, from: data)
        return try #require(ClusterManager.readModelsDirectory(for: daemon.dataDirectory, raftID: identity.raftID))
    }

    static func everything(under path: String) -> [String] {
        var found = [path]
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let name as String in walker { found.append(path + "/" + name) }
        }
        return found
    }

    @Test("as nobody, no file under the data dir or the read models can be read, no directory listed, and the socket refuses to connect")
    func nobodyReadsNothing() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("secret", "create", "db-password", "-", stdin: "hunter2")
        try daemon.docker("service", "create", "--detach", "--name", "web", "--secret", "db-password", "busybox", "sleep", "1000")
        try orchestration.until("the task runs") { try orchestration.running(daemon, "web").count == 1 }
        let readModels = try Self.readModels(of: daemon)
        let paths = Self.everything(under: daemon.dataDirectory) + Self.everything(under: readModels)
        #expect(paths.count > 10, "the walk found the daemon's files: \(paths)")
        for path in paths {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let attempt = isDirectory.boolValue ? try Self.asNobody(["ls", path]) : try Self.asNobody(["cat", path])
            #expect(attempt.status != 0, "nobody could read \(path)")
        }
        var info = stat()
        #expect(stat(daemon.dataDirectory, &info) == 0 && info.st_mode & 0o077 == 0, "the data dir is owner-only")
        #expect(stat(readModels, &info) == 0 && info.st_mode & 0o077 == 0, "the read models are owner-only")
        #expect(stat(daemon.socket, &info) == 0 && info.st_mode & 0o007 == 0, "the socket is closed to others")
        let connect = try Self.asNobody(["curl", "-s", "--max-time", "5", "--unix-socket", daemon.socket, "http://localhost/info"])
        #expect(connect.status != 0 && !connect.stdout.contains("Swarm"), "nobody reached the API: \(connect.stdout)")
        // Root (the daemon's user) still can.
        #expect(try daemon.curl(["-sf", "http://localhost/info"]).status == 0)
    }

    @Test("a read-model directory planted by another user stops the daemon with a message naming it")
    func plantedReadModelsAreRefused() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let readModels = try Self.readModels(of: daemon)
        #expect(daemon.stop() == 0)
        try FileManager.default.removeItem(atPath: readModels)
        let planted = try Self.asNobody(["mkdir", "-m", "0777", readModels])
        #expect(planted.status == 0, "\(planted.stderr)")
        defer { try? FileManager.default.removeItem(atPath: readModels) }
        // The daemon refuses: it never answers, and says why.
        #expect(throws: HarnessError.self) { try daemon.start(initialize: false) }
        let log = daemon.logText
        #expect(log.contains("read-model directory \(readModels) exists and belongs to uid 65534"), "\(log.suffix(600))")
        daemon.killHard()
    }

    @Test("process tasks run as their user (nobody by default, root refused), are killed at their memory limit, and die with a daemon killed by SIGKILL; the restarted daemon runs one replacement")
    func processTasksAreConfined() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "default", "busybox", "sh", "-c", "id -u; sleep 1001")
        try daemon.docker("service", "create", "--detach", "--name", "named", "--user", "nobody", "busybox", "sh", "-c", "id -u; sleep 1002")
        try daemon.docker("service", "create", "--detach", "--name", "root", "--user", "root", "--restart-condition", "none",
                          "busybox", "sleep", "1003")
        try daemon.docker("service", "create", "--detach", "--name", "hungry", "--restart-condition", "none", "--limit-memory", "20M",
                          "busybox", "python3", "-c", "x = bytearray(100 * 1024 * 1024)")
        try orchestration.until("both user tasks run") {
            try orchestration.running(daemon, "default").count == 1 && orchestration.running(daemon, "named").count == 1
        }
        for (name, marker) in [("default", "1001"), ("named", "1002")] {
            try orchestration.until("\(name) logged its uid") { try daemon.docker("service", "logs", name).contains("65534") }
            let pids = Self.processes(matching: "sleep \(marker)")
            #expect(pids.count == 1)
            for pid in pids {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                #expect(status.contains("Uid:\t65534"), "\(name) runs as nobody")
            }
        }
        try orchestration.until("root was refused") {
            try orchestration.tasks(daemon, "root").contains { $0.Status.State == "rejected" && ($0.Status.Err ?? "").contains("--process-allow-root") }
        }
        try orchestration.until("the hungry task was killed at its limit", timeout: 30) {
            try orchestration.tasks(daemon, "hungry").contains { $0.Status.Err == "task: non-zero exit (137)" }
        }

        // SIGKILL: the tasks' whole process groups go with the daemon.
        let before = Self.processes(matching: "sleep 1001")
        #expect(before.count == 1)
        let killed = try #require(try orchestration.running(daemon, "default").first?.ID)
        daemon.killHard()
        try orchestration.until("no task process is left", timeout: 5) {
            Self.processes(matching: "sleep 1001").isEmpty && Self.processes(matching: "sleep 1002").isEmpty
        }
        try daemon.start(initialize: false)
        try orchestration.until("a replacement runs (after the restart delay)", timeout: 30) {
            try orchestration.running(daemon, "default").contains { $0.ID != killed }
        }
        Thread.sleep(forTimeInterval: 2)
        #expect(Self.processes(matching: "sleep 1001").count == 1, "exactly one replica runs after the restart")
        #expect(try orchestration.running(daemon, "default").count == 1)
    }

    /// Pids whose command line is exactly `text` (arguments joined by spaces) or ends with it.
    static func processes(matching text: String) -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name -> Int32? in
            guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"), !data.isEmpty else { return nil }
            let line = String(decoding: data.split(separator: 0).map { Data($0) }.map { String(decoding: $0, as: UTF8.self) }
                .joined(separator: " ").utf8, as: UTF8.self)
            // Zombies have no command line; the guard's title is not the task's.
            return line.hasSuffix(text) && !line.hasPrefix("colmeia-guard") && !line.contains("sh -c") ? pid : nil
        }
    }
}
