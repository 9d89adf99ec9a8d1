import Foundation
import Testing

/// A manager whose data directory fills up refuses writes in clear words, says so at
/// critical level, in `/readyz` and in `docker info`, and recovers by itself, without a
/// restart, once space returns.
@Suite(.serialized) struct FullDiskTests {
    @Test("a full disk: writes refused with a clear error, a critical log line, /readyz and docker info say why; freeing space recovers without a restart")
    func fullDiskRefusesThenRecovers() throws {
        let mountPoint = FileManager.default.temporaryDirectory.path + "/colmeia-fulldisk-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try DaemonHarness.run("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", mountPoint], socket: "")
        try #require(mount.status == 0, "mounting a tmpfs needs root: \(mount.stderr)")
        defer {
            _ = try? DaemonHarness.run("umount", ["-l", mountPoint], socket: "")
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let daemon = DaemonHarness(dataDirectory: mountPoint + "/data")
        try daemon.start()
        defer { _ = daemon.stop() }
        let before = try daemon.http("POST", "/configs/create", body: #"{"Name":"before","Data":"aGVsbG8="}"#)
        #expect(before.status == 201)

        // Fill what is left (dd stops at ENOSPC).
        let filler = mountPoint + "/filler"
        _ = try DaemonHarness.run("dd", ["if=/dev/zero", "of=" + filler, "bs=64k"], socket: "")
        var refusal: (status: Int, body: String)?
        for attempt in 0..<400 {
            let body = #"{"Name":"full-\#(attempt)","Data":"\#(Data(String(repeating: "x", count: 2048).utf8).base64EncodedString())"}"#
            let answer = try daemon.http("POST", "/configs/create", body: body)
            if answer.status != 201 {
                refusal = answer
                break
            }
        }
        let refused = try #require(refusal, "no write was refused on a full disk")
        // The write in flight when the disk filled may be on disk already: its outcome is
        // unknown (504). Those that come after are refused outright (503).
        #expect(refused.status == 503 || refused.status == 504, "\(refused.body)")
        #expect(refused.body.contains("No space left on device"), "the cause is named: \(refused.body)")
        // The daemon is alive, says why, and keeps refusing while the disk is full.
        #expect(try daemon.http("GET", "/_ping").status == 200)
        try waitFor("/readyz reports the storage failure") {
            let ready = try daemon.http("GET", "/readyz")
            return ready.status == 503 && ready.body.contains("storage failure")
        }
        let info = try daemon.docker("info", "--format", "{{.Swarm.Error}}")
        #expect(info.contains("storage failure"), "\(info)")
        try waitFor("a critical log line names the storage failure") {
            daemon.logText.split(separator: "\n").contains { $0.contains("critical") && $0.contains("storage failure") }
        }
        let stillFull = try daemon.http("POST", "/configs/create", body: #"{"Name":"still-full","Data":"aGVsbG8="}"#)
        #expect(stillFull.status == 503)
        #expect(stillFull.body.contains("cannot write to its disk") && stillFull.body.contains("No space left on device"), "\(stillFull.body)")

        // Space returns: the same process accepts writes again.
        try FileManager.default.removeItem(atPath: filler)
        try waitFor("writes are accepted again") {
            try daemon.http("POST", "/configs/create", body: #"{"Name":"after-\#(UUID().uuidString.prefix(6))","Data":"aGVsbG8="}"#).status == 201
        }
        try waitFor("/readyz is ready again") { try daemon.http("GET", "/readyz").status == 200 }
        #expect(try daemon.docker("info", "--format", "{{.Swarm.Error}}").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(daemon.logText.contains("storage recovered"))
        let names = try daemon.docker("config", "ls", "--format", "{{.Name}}")
        #expect(names.contains("before"), "what was acknowledged before the disk filled is still there")
    }

    private func waitFor(_ what: String, timeout: TimeInterval = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw HarnessError("timed out waiting until \(what)")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}
