import ColmeiaModel
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a task's `Command` + `Args` as a child process (`--executor process`), with the
/// spec's environment and working directory; stdout and stderr go to files in the task's
/// own directory. For development and hosts without Docker: the image is not used.
public actor ProcessExecutor: TaskExecutor {
    /// Where each task gets a directory (`<root>/<task id>/`).
    public nonisolated let root: String
    private var processes: [String: ChildProcess] = [:]
    private var exitCodes: [String: Int] = [:]
    private var exits: [String: Task<Int, Never>] = [:]

    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    public init(root: String) {
        self.root = root
    }

    public nonisolated func directory(of task: SwarmTask) -> String { root + "/" + task.id }

    /// Creates the task's private directory; its secrets and configs go in `secrets/` and
    /// `configs/` there, named in `COLMEIA_SECRETS_DIR` and `COLMEIA_CONFIGS_DIR`.
    public func prepare(_ task: SwarmTask, files: TaskFiles) async throws(TaskFailure) {
        let directory = directory(of: task)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            _ = try files.write(under: directory)
        } catch let failure as TaskFailure {
            throw failure
        } catch {
            throw TaskFailure("preparing task directory failed: \(error.localizedDescription)")
        }
        _ = try Self.resolve(task, directory: directory)
    }

    public func start(_ task: SwarmTask) async throws(TaskFailure) -> ContainerStatus {
        let directory = directory(of: task)
        let (executable, arguments, environment) = try Self.resolve(task, directory: directory)
        let dir = task.spec.containerSpec?.dir ?? ""
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(executable: executable, arguments: arguments, environment: environment,
                                           directory: dir.isEmpty ? directory : dir,
                                           stdout: directory + "/stdout.log", stderr: directory + "/stderr.log")
        } catch {
            throw TaskFailure("starting process failed: \(error.description)")
        }
        processes[task.id] = child
        let id = task.id
        exits[task.id] = Task {
            let code = await child.exitCode()
            await self.record(exit: code, of: id)
            return code
        }
        return ContainerStatus(containerID: "", pid: Int(child.pid), exitCode: 0)
    }

    private func record(exit code: Int, of taskID: String) {
        exitCodes[taskID] = code
    }

    public func wait(_ task: SwarmTask) async throws(TaskFailure) -> Int {
        guard let exit = exits[task.id] else { throw TaskFailure("task \(task.id) is not running on this node") }
        return await exit.value
    }

    public func stop(_ task: SwarmTask) async {
        guard let child = processes[task.id], let exit = exits[task.id], exitCodes[task.id] == nil else { return }
        child.signal(Self.signal(named: task.spec.containerSpec?.stopSignal ?? ""))
        let grace = Duration.nanoseconds(max(0, task.spec.containerSpec?.stopGracePeriod ?? 10_000_000_000))
        let deadline = ContinuousClock.now + grace
        while exitCodes[task.id] == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if exitCodes[task.id] == nil { child.signal(SIGKILL) }
        _ = await exit.value
    }

    public func remove(_ task: SwarmTask) async {
        processes[task.id] = nil
        exits[task.id] = nil
        exitCodes[task.id] = nil
        try? FileManager.default.removeItem(atPath: directory(of: task))
    }

    public nonisolated var tasksOutliveAgent: Bool { false }

    /// Reads the task's `stdout.log` and `stderr.log`. A process writes straight to those
    /// files, so lines carry the file's modification time, not their own.
    public func logs(_ task: SwarmTask, options: LogOptions) async throws(TaskFailure) -> AsyncThrowingStream<LogEntry, any Error> {
        let directory = directory(of: task)
        guard FileManager.default.fileExists(atPath: directory) else {
            throw TaskFailure("no logs for task \(task.id) on this node")
        }
        let files: [(LogEntry.Stream, String)] = [(.stdout, directory + "/stdout.log"), (.stderr, directory + "/stderr.log")]
            .filter { options.wants($0.0) }
        return AsyncThrowingStream { continuation in
            let reader = Task {
                var offsets: [String: UInt64] = [:]
                var first = true
                repeat {
                    var batch: [LogEntry] = []
                    for (stream, path) in files {
                        guard let handle = FileHandle(forReadingAtPath: path) else { continue }
                        defer { try? handle.close() }
                        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
                            .map { Timestamp($0) } ?? .now()
                        try? handle.seek(toOffset: offsets[path] ?? 0)
                        let data = (try? handle.readToEnd()) ?? Data()
                        // Only whole lines; a partial last line waits for its newline.
                        guard let end = data.lastIndex(of: UInt8(ascii: "\n")) else { continue }
                        let whole = data[data.startIndex...end]
                        offsets[path] = (offsets[path] ?? 0) + UInt64(whole.count)
                        if let since = options.since, modified < since { continue }
                        for line in whole.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
                            batch.append(LogEntry(stream: stream, timestamp: first ? modified : .now(), line: Array(line) + [10]))
                        }
                    }
                    if first, let tail = options.tail { batch = Array(batch.suffix(max(0, tail))) }
                    first = false
                    for entry in batch { continuation.yield(entry) }
                    if options.follow { try? await Task.sleep(for: .milliseconds(200)) }
                } while options.follow && !Task.isCancelled
                continuation.finish()
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// A child of an earlier daemon cannot be waited on: process tasks are never adopted.
    public func isRunning(_ task: SwarmTask) async -> Bool {
        processes[task.id] != nil && exitCodes[task.id] == nil
    }

    /// The executable (searched in the task's `PATH`), its arguments and the environment.
    static func resolve(_ task: SwarmTask, directory: String) throws(TaskFailure) -> (String, [String], [String: String]) {
        let spec = task.spec.containerSpec ?? ContainerSpec()
        let words = spec.command + spec.args
        guard let name = words.first, !name.isEmpty else { throw TaskFailure("no command specified") }
        var environment: [String: String] = ["PATH": defaultPath, "HOSTNAME": spec.hostname,
                                             "COLMEIA_SECRETS_DIR": directory + "/secrets",
                                             "COLMEIA_CONFIGS_DIR": directory + "/configs"]
        for entry in spec.env {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let path = environment["PATH"] ?? defaultPath
        let candidates = name.contains("/") ? [name] : path.split(separator: ":").map { "\($0)/\(name)" }
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TaskFailure("exec: \"\(name)\": executable file not found in $PATH")
        }
        return (executable, Array(words.dropFirst()), environment)
    }

    /// `SIGTERM`, `TERM` or `15` → the signal number (SIGTERM when unknown or empty).
    static func signal(named name: String) -> Int32 {
        if let number = Int32(name) { return number }
        let bare = name.uppercased().hasPrefix("SIG") ? String(name.uppercased().dropFirst(3)) : name.uppercased()
        let known: [String: Int32] = ["HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1,
                                      "USR2": SIGUSR2, "TERM": SIGTERM, "STOP": SIGSTOP, "CONT": SIGCONT]
        return known[bare] ?? SIGTERM
    }
}
