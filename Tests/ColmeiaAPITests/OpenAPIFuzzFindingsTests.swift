import Foundation
import Testing

/// What scripts/fuzz-api.sh found, kept fixed: a swarm init that fails (or races another)
/// must not leave a node holding the WAL, and event streams must not hold up shutdown.
@Suite struct OpenAPIFuzzFindingsTests {
    @Test("after a refused or concurrent swarm init the node can still initialize, once")
    func initAfterFailedInit() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        defer { daemon.stop() }
        #expect(try daemon.http("POST", "/swarm/leave?force=1").status == 200)

        // Refused by validation: no node may be left behind holding raft/wal/wal.lock.
        let refused = try daemon.http("POST", "/swarm/init", body: #"{"Availability":"bogus"}"#)
        #expect(refused.status == 400, "\(refused.body)")
        let left = try daemon.http("POST", "/swarm/leave?force=1")
        #expect(left.status == 503 && left.body.contains("not part of a swarm"), "\(left.body)")

        // Three inits at once: one founds the swarm, the others are told it exists.
        let lock = NSLock()
        nonisolated(unsafe) var statuses: [Int] = []
        nonisolated(unsafe) let shared = daemon  // `http` only reads the harness's settings
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            let status = (try? shared.http("POST", "/swarm/init", body: "{}").status) ?? 0
            lock.withLock { statuses.append(status) }
        }
        #expect(statuses.sorted() == [200, 503, 503])
        #expect(try daemon.http("GET", "/nodes").status == 200)
    }

    @Test("SIGTERM stops the daemon with event streams open, abandoned or read")
    func shutdownWithEventStreams() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        // A client that goes away without a word, and one still reading.
        _ = try daemon.http("GET", "/events", extra: ["--max-time", "1"])
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reader.arguments = ["curl", "-s", "--max-time", "30", "--unix-socket", daemon.socket, "http://localhost/events"]
        reader.standardOutput = FileHandle.nullDevice
        reader.standardError = FileHandle.nullDevice
        try reader.run()
        defer { if reader.isRunning { reader.terminate() } }
        Thread.sleep(forTimeInterval: 0.3)

        let started = Date()
        let status = daemon.stop(within: 10)
        #expect(status == 0, "colmeiad did not stop cleanly within 10 s of SIGTERM")
        #expect(Date().timeIntervalSince(started) < 10)
        reader.waitUntilExit()
        #expect(reader.terminationStatus == 0, "the live /events reader should see its stream end")
    }
}
