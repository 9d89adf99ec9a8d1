import Foundation
import Testing
@testable import ColmeiaAPI
@testable import ColmeiaCluster

/// A real `colmeiad` process on a temporary data dir, a unix socket and a loopback TCP
/// port, plus helpers to run the stock docker CLI and curl against it.
final class DaemonHarness {
    let dataDirectory: String
    let socket: String
    let port: Int
    /// The cluster port (`--listen-addr`), on its own loopback address in multi-node tests.
    let listenAddress: String
    private var process: Process?
    /// Where the daemon's log goes (appended to across restarts).
    let logPath: String

    let nodeName: String
    /// The network namespace the daemon runs in (a node of a multi-host test), if any.
    let netns: String?

    init(listenIP: String = "127.0.0.1", clusterPort: Int? = nil, nodeName: String = "colmeia-test",
         dataDirectory: String? = nil, netns: String? = nil) {
        self.nodeName = nodeName
        self.netns = netns
        let base = FileManager.default.temporaryDirectory.path + "/colmeiad-\(UUID().uuidString.prefix(8))"
        self.dataDirectory = dataDirectory ?? base + "/data"
        socket = base + ".sock"
        port = Int.random(in: 20_000...29_999)
        let listenAddress = "\(listenIP):\(clusterPort ?? TestPorts.cluster(for: port))"
        self.listenAddress = listenAddress
        logPath = ProcessInfo.processInfo.environment["COLMEIA_TEST_DAEMON_LOGS"].map {
            $0 + "/" + listenAddress.replacingOccurrences(of: ":", with: "_") + ".log"
        } ?? base + ".log"
    }

    /// The daemon's process id while it runs.
    var pid: pid_t? { process?.processIdentifier }

    /// Sends `signal` (SIGSTOP, SIGCONT…) to the running daemon.
    func signal(_ signal: Int32) {
        if let pid { kill(pid, signal) }
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: (dataDirectory as NSString).deletingLastPathComponent)
        try? FileManager.default.removeItem(atPath: socket)
        if ProcessInfo.processInfo.environment["COLMEIA_TEST_DAEMON_LOGS"] == nil {
            try? FileManager.default.removeItem(atPath: logPath)
        }
        ClusterManager.eraseReadModels(of: dataDirectory)
    }

    /// Daemons log at notice (what tests may look for) next to their socket, or in the
    /// folder `COLMEIA_TEST_DAEMON_LOGS` names; `COLMEIA_TEST_LOG_LEVEL` picks another level.
    static var logLevel: String {
        ProcessInfo.processInfo.environment["COLMEIA_TEST_LOG_LEVEL"] ?? "notice"
    }

    /// What the daemon has logged so far.
    var logText: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    static func executable(_ name: String) throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
            Bundle.main.bundleURL.deletingLastPathComponent().path,
            FileManager.default.currentDirectoryPath + "/.build/debug",
        ].map { $0 + "/" + name }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw HarnessError("\(name) not found next to the tests (\(candidates))")
        }
        return found
    }

    /// Starts the daemon and waits until `/_ping` answers on the socket.
    /// - Parameter insecureTCP: the loopback TCP listener takes anonymous clients as admins
    ///   (`--insecure-tcp`), as most tests drive it with curl; the access tests turn it off.
    func start(initialize: Bool = true, executor: String = "process", insecureTCP: Bool = true,
               extraArguments: [String] = []) throws {
        let process = Process()
        let daemon = try Self.executable("colmeiad")
        process.executableURL = URL(fileURLWithPath: netns == nil ? daemon : "/usr/bin/env")
        // A restarted daemon appends to the same log, so a restart can be read in full.
        process.arguments = (netns.map { ["ip", "netns", "exec", $0, daemon] } ?? []) + ["--data-dir", dataDirectory, "--host", "unix://" + socket,
                             "--host", "tcp://127.0.0.1:\(port)", "--listen-addr", listenAddress,
                             "--node-name", nodeName,
                             "--log-level", Self.logLevel,
                             "--executor", executor]
            + (insecureTCP ? ["--insecure-tcp"] : [])
            + (initialize ? ["--init"] : []) + extraArguments
        process.standardOutput = FileHandle.nullDevice
        if !FileManager.default.fileExists(atPath: logPath) {
            FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = FileHandle(forWritingAtPath: logPath)
        _ = try? log?.seekToEnd()
        process.standardError = log ?? FileHandle.nullDevice
        try process.run()
        self.process = process
        DaemonReaper.track(process.processIdentifier)
        // The listeners open once the node has resumed, and with the Docker executor that
        // waits on the engine, which can be slow while it removes an earlier test's containers.
        for _ in 0..<600 {
            if (try? curl(["-sf", "http://localhost/_ping"]))?.status == 0 { return }
            if !process.isRunning { throw HarnessError("colmeiad exited (\(process.terminationStatus)) before answering /_ping:\n"
                                                          + logText.split(separator: "\n").suffix(10).joined(separator: "\n")) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HarnessError("colmeiad did not answer /_ping within 30 s:\n" + logText.split(separator: "\n").suffix(10).joined(separator: "\n"))
    }

    /// SIGKILL: the daemon gets no chance to tidy up.
    func killHard() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGTERM, then waits for a clean exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process else { return -1 }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    /// SIGTERM, then waits at most `timeout` for the exit: the exit status, or nil when the
    /// daemon was still running (it is then killed).
    func stop(within timeout: TimeInterval) -> Int32? {
        guard let process else { return -1 }
        process.terminate()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let stopped = !process.isRunning
        if !stopped { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
        return stopped ? process.terminationStatus : nil
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Output {
        try Self.run(executable, arguments, socket: socket, stdin: stdin, environment: environment)
    }

    /// Runs a client program with `DOCKER_HOST` set to `socket`; it is killed after `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], socket: String, stdin: String? = nil,
                    environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        var env = ProcessInfo.processInfo.environment
        env["DOCKER_HOST"] = "unix://" + socket
        env["DOCKER_CLI_HINTS"] = "false"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // A client that hangs (a daemon wedged by a bug) fails its test instead of the run.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Runs `docker ARGS` against the daemon; fails the test on a non-zero exit.
    @discardableResult
    func docker(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try docker(arguments, stdin: stdin, sourceLocation: sourceLocation)
    }

    /// Runs `docker ARGS` against the daemon; fails the test on a non-zero exit.
    @discardableResult
    func docker(_ arguments: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let output = try run("docker", arguments, stdin: stdin)
        #expect(output.status == 0, "docker \(arguments.joined(separator: " ")): \(output.stderr)", sourceLocation: sourceLocation)
        return output.stdout
    }

    /// Runs docker expecting failure; returns stderr.
    func dockerFails(_ arguments: String...) throws -> String {
        let output = try run("docker", arguments)
        #expect(output.status != 0, "docker \(arguments.joined(separator: " ")) should fail")
        return output.stderr
    }

    /// curl over the unix socket (or TCP with `tcp: true`).
    func curl(_ arguments: [String], tcp: Bool = false) throws -> Output {
        try run("curl", (tcp ? [] : ["--unix-socket", socket]) + arguments)
    }

    /// An HTTP exchange: status code and body.
    func http(_ method: String, _ path: String, body: String? = nil, tcp: Bool = false, extra: [String] = []) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-X", method, "-w", "\n%{http_code}", "-H", "Content-Type: application/json"] + extra
        if let body { arguments += ["--data-binary", "@-"] }
        arguments.append(tcp ? "http://127.0.0.1:\(port)\(path)" : "http://localhost\(path)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl"] + (tcp ? [] : ["--unix-socket", socket]) + arguments
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let body { input.fileHandleForWriting.write(Data(body.utf8)) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }
}

/// Ports for the tests' listeners, outside the kernel's ephemeral range (32768–60999 here):
/// a port some outgoing connection happens to use cannot be bound, and these are bound.
enum TestPorts {
    /// A single daemon's cluster port, from its API port (20000–29999).
    /// Even, so that the data path (the cluster port + 1) is never another daemon's.
    static func cluster(for apiPort: Int) -> Int { 61_000 + (apiPort % 1_000) * 2 }
    /// The cluster port the nodes of a multi-node swarm share (each on its own address).
    static func swarm() -> Int { 63_000 + Int.random(in: 0..<1_000) * 2 }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
