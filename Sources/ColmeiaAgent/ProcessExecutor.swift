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

    public func prepare(_ task: SwarmTask) async throws(TaskFailure) {
        do {
            try FileManager.default.createDirectory(atPath: directory(of: task), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw TaskFailure("preparing task directory failed: \(error.localizedDescription)")
        }
        _ = try Self.resolve(task)
    }

    public func start(_ task: SwarmTask) async throws(TaskFailure) -> ContainerStatus {
        let (executable, arguments, environment) = try Self.resolve(task)
        let directory = directory(of: task)
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

    /// A child of an earlier daemon cannot be waited on: process tasks are never adopted.
    public func isRunning(_ task: SwarmTask) async -> Bool {
        processes[task.id] != nil && exitCodes[task.id] == nil
    }

    /// The executable (searched in the task's `PATH`), its arguments and the environment.
    static func resolve(_ task: SwarmTask) throws(TaskFailure) -> (String, [String], [String: String]) {
        let spec = task.spec.containerSpec ?? ContainerSpec()
        let words = spec.command + spec.args
        guard let name = words.first, !name.isEmpty else { throw TaskFailure("no command specified") }
        var environment: [String: String] = ["PATH": defaultPath, "HOSTNAME": spec.hostname]
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
