import Foundation
import Testing
@testable import ColmeiaCluster

/// state.db lives on disk with its secret fields sealed: a manager that reboots (memory
/// and `/dev/shm` gone) resumes its read models instead of rebuilding them, and no secret
/// is readable in its files.
@Suite(.serialized) struct ReadModelRebootTests {
    let orchestration = OrchestrationTests()

    /// The numbers in the daemon's last "read models at index A on opening…; replaying N
    /// entries" line.
    static func opening(_ log: String) -> (index: Int, replaying: Int)? {
        guard let line = log.split(separator: "\n").last(where: { $0.contains("read models at index") }) else { return nil }
        func number(after marker: String) -> Int? {
            line.components(separatedBy: marker).dropFirst().first.flatMap { Int($0.prefix(while: \.isNumber)) }
        }
        guard let index = number(after: "read models at index "), let replaying = number(after: "replaying ") else { return nil }
        return (index, replaying)
    }

    @Test("after a reboot (daemon stopped, /dev/shm cleared) the manager resumes state.db where it was, replays nothing, and serves its secrets and services; no file holds the secret in the clear")
    func rebootResumesSealedReadModels() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let secret = "correct-horse-battery-staple-\(UUID().uuidString.prefix(8))"
        try daemon.docker("secret", "create", "db-password", "-", stdin: secret)
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2", "--secret", "db-password",
                          "busybox", "sleep", "1000")
        try orchestration.until("both tasks run") { try orchestration.running(daemon, "web").count == 2 }
        let before = try daemon.http("GET", "/services/web").body

        #expect(daemon.stop() == 0)
        ClusterManager.eraseReadModels(of: daemon.dataDirectory)
        // No file of the manager holds the secret in the clear: the log is encrypted,
        // state.db's secret fields are sealed.
        for path in LocalAccessTests.everything(under: daemon.dataDirectory) {
            guard let bytes = FileManager.default.contents(atPath: path) else { continue }
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(path) holds the secret in the clear")
            #expect(bytes.range(of: Data(Data(secret.utf8).base64EncodedString().utf8)) == nil, "\(path) holds the secret's base64")
        }

        try daemon.start(initialize: false)
        try MultiManagerTests.eventually("the rebooted manager answers", timeout: 30) {
            try daemon.http("GET", "/services").status == 200
        }
        let opening = try #require(Self.opening(daemon.logText), "the daemon reports how it opened the read models")
        #expect(opening.index > 0, "state.db was kept: \(opening)")
        #expect(opening.replaying <= 2, "nothing (or the last entries only) is replayed: \(opening)")
        #expect(try daemon.http("GET", "/services/web").body == before)
        #expect(try daemon.docker("secret", "ls", "--format", "{{.Name}}").contains("db-password"))
        // The secret still reaches a new task: its data opened from state.db.
        try daemon.docker("service", "update", "--detach", "--force", "web")
        try orchestration.until("the updated tasks run") { try orchestration.running(daemon, "web").count == 2 }
        #expect(daemon.stop() == 0)
    }
}
