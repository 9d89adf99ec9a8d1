import Foundation
import Testing

/// A real `colmeiad` (process executor, single-node swarm) on a temporary data dir and unix
/// socket, and the built `colmeia` binary run against it.
final class CLIHarness: @unchecked Sendable {
    let base: String
    let socket: String
    private var process: Process?

    init() {
        base = FileManager.default.temporaryDirectory.path + "/colmeia-cli-\(UUID().uuidString.prefix(8))"
        socket = base + "/d.sock"
        try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    }

    deinit {
        if let process, process.isRunning {
            // The process executor's tasks outlive a killed daemon: end them first, by id.
            for child in Self.children(of: process.processIdentifier) { kill(child, SIGKILL) }
            kill(process.processIdentifier, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: base)
    }

    /// The ids of the processes whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }

    /// An executable built next to the tests (`colmeia`, `colmeiad`).
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

    /// Starts the daemon (with `--init` unless told otherwise) and waits until it answers.
    func start(initialize: Bool = true, extraArguments: [String] = []) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executable("colmeiad"))
        // Each daemon's cluster port on its own loopback port: Docker's default 0.0.0.0:2377
        // would collide between the daemons of tests running side by side.
        process.arguments = ["--data-dir", base + "/data", "--host", "unix://" + socket, "--node-name", "colmeia-test",
                             "--listen-addr", "127.0.0.1:\(Int.random(in: 61_000...62_999))",
                             "--log-level", "warning", "--executor", "process"] + (initialize ? ["--init"] : []) + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if FileManager.default.fileExists(atPath: socket), let answer = try? run(["node", "ls", "-q"]),
               answer.status == 0 || !initialize && !answer.stderr.contains("Cannot connect") { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("colmeiad did not answer within 10 s")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `colmeia ARGS` with `COLMEIA_HOST` set to the daemon (or `host`).
    func run(_ arguments: [String], stdin: String? = nil, host: String? = nil, environment: [String: String] = [:],
             directory: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executable("colmeia"))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["COLMEIA_HOST"] = host ?? "unix://" + socket
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full stderr cannot block stdout.
        nonisolated(unsafe) var stderrData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderrData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Runs colmeia and expects success; returns stdout.
    @discardableResult
    func colmeia(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let output = try run(arguments, stdin: stdin)
        #expect(output.status == 0, "colmeia \(arguments.joined(separator: " ")): \(output.stderr)", sourceLocation: sourceLocation)
        return output.stdout
    }

    /// Runs colmeia and expects failure; returns the output.
    func colmeiaFails(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Output {
        let output = try run(arguments, stdin: stdin)
        #expect(output.status != 0, "colmeia \(arguments.joined(separator: " ")) should fail: \(output.stdout)", sourceLocation: sourceLocation)
        return output
    }

    /// Waits (polling every 100 ms) until `condition` holds.
    func until(_ what: String, timeout: Duration = .seconds(60), _ condition: () throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while try !condition() {
            guard clock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw HarnessError("timed out waiting until \(what)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The rows of a `--format json` listing.
    func jsonRows(_ arguments: String...) throws -> [[String: String]] {
        let output = try run(arguments)
        #expect(output.status == 0, "colmeia \(arguments.joined(separator: " ")): \(output.stderr)")
        return try output.stdout.split(separator: "\n").map {
            try JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        }
    }

    /// Running tasks of a service, from `service ps --format json`.
    func runningTasks(_ service: String) throws -> [[String: String]] {
        try jsonRows("service", "ps", "--filter", "desired-state=running", "--format", "json", service)
            .filter { $0["CurrentState"]?.hasPrefix("Running") == true }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
