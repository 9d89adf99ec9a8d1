import CColmeiaSpawn
import ColmeiaMesh
import ColmeiaModel
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs a task's `Command` + `Args` as a process (`--executor process`): as the spec's
/// `User` (by default the node's task user, never root unless allowed), in a cgroup with
/// the spec's memory, CPU and pids limits, under a guard that kills the task's process
/// group when the daemon dies, with its output in a rotated log and its healthcheck run
/// by the executor. For development and hosts without Docker: the image is not used.
///
/// Files: `<root>/<task>/` (the daemon's: log, pid file) and, under the runtime root,
/// `work/<task>/` (the task's working directory, owned by its user) and `files/<task>/`
/// (its secrets and configs, on a tmpfs when one can be mounted).
public actor ProcessExecutor: TaskExecutor {
    public struct Options: Sendable {
        /// Who runs a task whose spec names no user.
        public var defaultUser: String
        /// Whether a spec may ask for root.
        public var allowRoot: Bool
        public var logMaxSize: Int
        public var logMaxFiles: Int

        public init(defaultUser: String = "nobody", allowRoot: Bool = false,
                    logMaxSize: Int = ProcessLogFile.defaultMaxSize, logMaxFiles: Int = ProcessLogFile.defaultMaxFiles) {
            self.defaultUser = defaultUser
            self.allowRoot = allowRoot
            self.logMaxSize = logMaxSize
            self.logMaxFiles = logMaxFiles
        }
    }

    private struct Running {
        var process: GuardedProcess
        var exit: Task<Int, Never>
        var log: ProcessLogWriter
        var health: ProcessHealthMonitor?
    }

    /// Where each task gets the daemon's directory (`<root>/<task id>/`).
    public nonisolated let root: String
    /// Where task working directories and files live (readable by task users).
    public nonisolated let runtimeRoot: String
    private let options: Options
    private let cgroups: ProcessCgroups
    private var users: [String: TaskUser] = [:]
    /// Each task's context, and the node port its service's target ports map to.
    private var contexts: [String: TaskContext] = [:]
    private var ports: [String: [UInt32: Int]] = [:]
    /// Where the mesh finds the tasks' ports.
    private let endpoints: LocalEndpoints?
    private var running: [String: Running] = [:]
    private var exitCodes: [String: Int] = [:]
    private var filesMounted = false
    private var filesReady = false

    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// - Parameters:
    ///   - root: the daemon's own task directories (inside the data directory).
    ///   - runtimeRoot: task working directories and files; nil puts them in `root/../run`.
    public init(root: String, runtimeRoot: String? = nil, options: Options = Options(), endpoints: LocalEndpoints? = nil) {
        self.root = root
        self.endpoints = endpoints
        self.runtimeRoot = runtimeRoot ?? (root as NSString).deletingLastPathComponent + "/run"
        self.options = options
        cgroups = ProcessCgroups(scope: ProcessExecutor.scope(of: root))
        // Processes of an earlier run of this daemon cannot be adopted: their guards died
        // with it and took the tasks along; anything left is killed now.
        Self.sweep(root: root, cgroups: cgroups)
    }

    /// What this node's process executor can do, for `docker info` and the logs.
    public nonisolated var cgroupSupport: String {
        switch cgroups.layout {
        case .v2(let path): "cgroup v2 at \(path)"
        case .v1(let memory, let cpu, let pids):
            "cgroup v1 (" + [memory.map { _ in "memory" }, cpu.map { _ in "cpu" }, pids.map { _ in "pids" }].compactMap { $0 }
                .joined(separator: ", ") + ")"
        case .unavailable(let reason): "no cgroups: \(reason); tasks with resource limits are refused"
        }
    }

    public nonisolated func directory(of task: SwarmTask) -> String { root + "/" + task.id }
    nonisolated func workDirectory(of task: SwarmTask) -> String { runtimeRoot + "/work/" + task.id }
    nonisolated func filesDirectory(of task: SwarmTask) -> String { runtimeRoot + "/files/" + task.id }

    /// Readies the task's directories, its user and its secret and config files (named in
    /// `COLMEIA_SECRETS_DIR` and `COLMEIA_CONFIGS_DIR`).
    public func prepare(_ task: SwarmTask, files: TaskFiles) async throws(TaskFailure) {
        let spec = task.spec.containerSpec ?? ContainerSpec()
        let user = try TaskUser.resolve(spec.user, groups: spec.groups, defaultUser: options.defaultUser,
                                        allowRoot: options.allowRoot)
        let limits = task.spec.resources?.limits
        if case .unavailable(let reason) = cgroups.layout,
           (limits?.memoryBytes ?? 0) > 0 || (limits?.nanoCPUs ?? 0) > 0 || (limits?.pids ?? 0) > 0 {
            throw TaskFailure("the process executor cannot apply the task's resource limits: \(reason)")
        }
        do {
            try Self.makeDirectory(root, mode: 0o700)
            try Self.makeDirectory(directory(of: task), mode: 0o700)
            try prepareRuntimeRoot()
            try Self.makeDirectory(workDirectory(of: task), mode: 0o700, owner: user.identity)
            if files.hasFiles {
                try Self.makeDirectory(filesDirectory(of: task), mode: 0o500, owner: user.identity)
                _ = try files.write(under: filesDirectory(of: task), owner: user.identity)
            }
        } catch let failure as TaskFailure {
            throw failure
        } catch {
            throw TaskFailure("preparing task directory failed: \(error.localizedDescription)")
        }
        // A port of the node for each target port: two replicas here never collide.
        var assigned: [UInt32: Int] = [:]
        for target in files.context.targetPorts {
            guard let port = Self.freePort() else { throw TaskFailure("no free port on this node for target port \(target)") }
            assigned[target] = port
        }
        contexts[task.id] = files.context
        ports[task.id] = assigned
        _ = try Self.resolve(task, secrets: filesDirectory(of: task), context: files.context, ports: assigned)
        users[task.id] = user
    }

    /// A port no one listens on now (the kernel's pick), for a task to take.
    static func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    public func start(_ task: SwarmTask) async throws(TaskFailure) -> ContainerStatus {
        let spec = task.spec.containerSpec ?? ContainerSpec()
        let assigned = ports[task.id] ?? [:]
        let (executable, arguments, environment) = try Self.resolve(task, secrets: filesDirectory(of: task),
                                                                    context: contexts[task.id] ?? TaskContext(), ports: assigned)
        let user = users[task.id] ?? TaskUser(identity: nil, name: "")
        let cgroupFiles = try cgroups.prepare(taskID: task.id, limits: task.spec.resources?.limits)
        defer { for fd in cgroupFiles { Glibc.close(fd) } }
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        guard colmeia_pipe_cloexec(&stdoutPipe) == 0 else { throw TaskFailure("starting process failed: pipe: \(Self.lastError())") }
        guard colmeia_pipe_cloexec(&stderrPipe) == 0 else {
            Glibc.close(stdoutPipe[0])
            Glibc.close(stdoutPipe[1])
            throw TaskFailure("starting process failed: pipe: \(Self.lastError())")
        }
        let request = GuardedProcess.Request(
            executable: executable, arguments: arguments, environment: environment,
            directory: spec.dir.isEmpty ? workDirectory(of: task) : spec.dir,
            stdout: stdoutPipe[1], stderr: stderrPipe[1], cgroupProcs: cgroupFiles, identity: user.identity,
            title: "colmeia-guard \(task.id)")
        let process: GuardedProcess
        do {
            process = try await GuardedProcess.spawn(request)
        } catch {
            for fd in stdoutPipe + stderrPipe { Glibc.close(fd) }
            cgroups.remove(taskID: task.id)
            throw TaskFailure("starting process failed: \(error.description)")
        }
        Glibc.close(stdoutPipe[1])
        Glibc.close(stderrPipe[1])
        Self.writePIDFile(directory(of: task), process)
        let (maxSize, maxFiles) = logLimits(task)
        let log = ProcessLogWriter(directory: directory(of: task), stdout: stdoutPipe[0], stderr: stderrPipe[0],
                                   maxSize: maxSize, maxFiles: maxFiles)
        let id = task.id
        let exit = Task {
            let code = await process.exitCode()
            self.record(exit: code, of: id)
            return code
        }
        var health: ProcessHealthMonitor?
        if let check = spec.healthcheck, let probe = ProcessHealthMonitor.Probe(check) {
            let base = GuardedProcess.Request(executable: "", arguments: [], environment: environment,
                                              directory: request.directory, identity: user.identity,
                                              title: "colmeia-guard \(task.id) healthcheck")
            let monitor = ProcessHealthMonitor(probe: probe, template: base, cgroups: cgroups, taskID: task.id)
            await monitor.start()
            health = monitor
        }
        running[task.id] = Running(process: process, exit: exit, log: log, health: health)
        let status = ContainerStatus(containerID: "", pid: Int(process.taskPID), exitCode: 0)
        guard let health else {
            endpoints?.set(taskID: task.id, endpoint: .init(host: "127.0.0.1", ports: assigned))
            return status
        }
        // A task with a healthcheck is starting until its first healthy report.
        switch await health.firstVerdict(orExit: exit) {
        case .healthy, .exited:
            // Connections go to a task with a healthcheck once it is healthy.
            endpoints?.set(taskID: task.id, endpoint: .init(host: "127.0.0.1", ports: assigned))
            return status
        case .unhealthy:
            await stop(task)
            throw TaskFailure("task: non-zero exit (\(await exit.value)): dockerexec: unhealthy container")
        }
    }

    private func record(exit code: Int, of taskID: String) {
        exitCodes[taskID] = code
        endpoints?.remove(taskID: taskID)
    }

    /// The exit code; a task its healthcheck found unhealthy is stopped and fails with
    /// Docker's words.
    public func wait(_ task: SwarmTask) async throws(TaskFailure) -> Int {
        guard let entry = running[task.id] else { throw TaskFailure("task \(task.id) is not running on this node") }
        if let health = entry.health {
            let exit = entry.exit
            let verdict = await firstOf([
                { @Sendable in
                    _ = await exit.value
                    return false
                },
                { @Sendable in await health.waitUnhealthy() },
            ])
            if verdict, exitCodes[task.id] == nil {
                endpoints?.remove(taskID: task.id)
                await stop(task)
                throw TaskFailure("task: non-zero exit (\(await entry.exit.value)): dockerexec: unhealthy container")
            }
        }
        let code = await entry.exit.value
        await entry.log.waitUntilFinished()
        return code
    }

    /// The stop signal to the task's group, then SIGKILL after the grace period.
    public func stop(_ task: SwarmTask) async {
        guard let entry = running[task.id], exitCodes[task.id] == nil else { return }
        endpoints?.remove(taskID: task.id)
        await entry.health?.stop()
        entry.process.signal(Self.signal(named: task.spec.containerSpec?.stopSignal ?? ""))
        let grace = Duration.nanoseconds(max(0, task.spec.containerSpec?.stopGracePeriod ?? 10_000_000_000))
        let deadline = ContinuousClock.now + grace
        while exitCodes[task.id] == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if exitCodes[task.id] == nil { entry.process.signal(SIGKILL) }
        _ = await entry.exit.value
    }

    public func remove(_ task: SwarmTask) async {
        if let entry = running.removeValue(forKey: task.id) {
            await entry.health?.stop()
            if exitCodes[task.id] == nil { entry.process.signal(SIGKILL) }
            _ = await entry.exit.value
        }
        exitCodes[task.id] = nil
        users[task.id] = nil
        contexts[task.id] = nil
        ports[task.id] = nil
        endpoints?.remove(taskID: task.id)
        cgroups.remove(taskID: task.id)
        try? FileManager.default.removeItem(atPath: filesDirectory(of: task))
        try? FileManager.default.removeItem(atPath: workDirectory(of: task))
        try? FileManager.default.removeItem(atPath: directory(of: task))
    }

    /// Unmounts the files tmpfs (tasks are gone by now: they cannot outlive the daemon).
    public func close() async {
        if filesMounted { _ = umount2(runtimeRoot + "/files", Int32(MNT_DETACH)) }
        filesMounted = false
        filesReady = false
    }

    public nonisolated var tasksOutliveAgent: Bool { false }

    /// The task's log, with each line's own time.
    public func logs(_ task: SwarmTask, options: LogOptions) async throws(TaskFailure) -> AsyncThrowingStream<LogEntry, any Error> {
        let directory = directory(of: task)
        guard FileManager.default.fileExists(atPath: directory) else {
            throw TaskFailure("no logs for task \(task.id) on this node")
        }
        let writer = running[task.id]?.log
        let reader = ProcessLogReader(directory: directory, maxFiles: logLimits(task).maxFiles,
                                      isFinished: { writer?.isFinished ?? true })
        return reader.entries(options)
    }

    /// Process tasks on this node: running, and exited but not yet removed.
    public func counts() async -> EngineCounts? {
        let total = running.count
        let alive = running.keys.filter { exitCodes[$0] == nil }.count
        return EngineCounts(containers: total, running: alive, paused: 0, stopped: total - alive, images: nil)
    }

    /// A child of an earlier daemon cannot be waited on: process tasks are never adopted.
    public func isRunning(_ task: SwarmTask) async -> TaskPresence {
        running[task.id] != nil && exitCodes[task.id] == nil ? .running : .absent
    }

    /// The executable (searched in the task's `PATH`), its arguments and the environment:
    /// the spec's (placeholders expanded), the task's files, its ports
    /// (`COLMEIA_PORT_<target>`, and `PORT` when the service has one) and who it is
    /// (`COLMEIA_TASK_ID`, `COLMEIA_TASK_NAME`, `COLMEIA_TASK_SLOT`, `COLMEIA_SERVICE_NAME`, `COLMEIA_NODE_ID`).
    static func resolve(_ task: SwarmTask, secrets filesDirectory: String, context: TaskContext = TaskContext(),
                        ports: [UInt32: Int] = [:]) throws(TaskFailure) -> (String, [String], [String: String]) {
        let spec = task.spec.containerSpec ?? ContainerSpec()
        let words = spec.command + spec.args
        guard let name = words.first, !name.isEmpty else { throw TaskFailure("no command specified") }
        var environment: [String: String] = ["PATH": defaultPath, "HOSTNAME": context.expand(spec.hostname, task: task),
                                             "COLMEIA_SECRETS_DIR": filesDirectory + "/secrets",
                                             "COLMEIA_CONFIGS_DIR": filesDirectory + "/configs",
                                             "COLMEIA_TASK_ID": task.id, "COLMEIA_TASK_NAME": task.name,
                                             "COLMEIA_TASK_SLOT": String(task.slot),
                                             "COLMEIA_SERVICE_NAME": context.expand("{{.Service.Name}}", task: task),
                                             "COLMEIA_NODE_ID": context.nodeID.isEmpty ? task.nodeID : context.nodeID]
        for (target, port) in ports { environment["COLMEIA_PORT_\(target)"] = String(port) }
        if ports.count == 1, let port = ports.values.first { environment["PORT"] = String(port) }
        for entry in spec.env {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(parts[0])] = parts.count > 1 ? context.expand(String(parts[1]), task: task) : ""
        }
        return (try executable(name, path: environment["PATH"] ?? defaultPath), Array(words.dropFirst()), environment)
    }

    static func executable(_ name: String, path: String) throws(TaskFailure) -> String {
        let candidates = name.contains("/") ? [name] : path.split(separator: ":").map { "\($0)/\(name)" }
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TaskFailure("exec: \"\(name)\": executable file not found in $PATH")
        }
        return executable
    }

    /// `SIGTERM`, `TERM` or `15` → the signal number (SIGTERM when unknown or empty).
    static func signal(named name: String) -> Int32 {
        if let number = Int32(name) { return number }
        let bare = name.uppercased().hasPrefix("SIG") ? String(name.uppercased().dropFirst(3)) : name.uppercased()
        let known: [String: Int32] = ["HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1,
                                      "USR2": SIGUSR2, "TERM": SIGTERM, "STOP": SIGSTOP, "CONT": SIGCONT]
        return known[bare] ?? SIGTERM
    }

    // MARK: Files

    /// The log driver's `max-size` and `max-file` where the task sets them.
    private func logLimits(_ task: SwarmTask) -> (maxSize: Int, maxFiles: Int) {
        let driverOptions = task.spec.logDriver?.options ?? [:]
        let size = driverOptions["max-size"].flatMap(Self.byteSize) ?? options.logMaxSize
        let files = driverOptions["max-file"].flatMap { Int($0) } ?? options.logMaxFiles
        return (size, max(1, files))
    }

    /// `10m`, `512k`, `1g` or bytes.
    static func byteSize(_ text: String) -> Int? {
        let lower = text.lowercased()
        let units: [(String, Int)] = [("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10), ("b", 1)]
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            return Int(lower.dropLast()).map { $0 * factor }
        }
        return Int(lower)
    }

    /// The runtime root (traversable by task users, not listable) and a private tmpfs for
    /// secret and config files, so that they never touch a disk.
    private func prepareRuntimeRoot() throws {
        guard !filesReady else { return }
        try FileManager.default.createDirectory(atPath: (runtimeRoot as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Self.makeDirectory(runtimeRoot, mode: 0o711)
        try Self.makeDirectory(runtimeRoot + "/work", mode: 0o711)
        try Self.makeDirectory(runtimeRoot + "/files", mode: 0o711)
        var own = stat()
        var parent = stat()
        let files = runtimeRoot + "/files"
        if geteuid() == 0, stat(files, &own) == 0, stat(runtimeRoot, &parent) == 0, own.st_dev == parent.st_dev {
            filesMounted = mount("tmpfs", files, "tmpfs", UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC), "mode=0711") == 0
        }
        filesReady = true
    }

    static func makeDirectory(_ path: String, mode: mode_t, owner: GuardedProcess.Identity? = nil) throws {
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw TaskFailure("cannot create \(path): \(lastError())")
        }
        chmod(path, mode)
        if let owner { chown(path, owner.uid, owner.gid) }
    }

    /// `guard task start-time` of a running task, so that a restarted daemon can find and
    /// kill exactly what it left (and nothing that reused a pid since).
    private static func writePIDFile(_ directory: String, _ process: GuardedProcess) {
        let start = startTime(of: process.taskPID) ?? 0
        try? "\(process.guardPID) \(process.taskPID) \(start)\n".write(toFile: directory + "/pid", atomically: true, encoding: .utf8)
    }

    /// Field 22 of `/proc/PID/stat`: when the process started, in clock ticks since boot.
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let text = SystemFile.text(atPath: "/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// Kills every task an earlier run of the daemon left (by cgroup, and by pid file where
    /// the start time still matches) and removes their directories.
    private static func sweep(root: String, cgroups: ProcessCgroups) {
        cgroups.sweep()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for name in names {
            let pidFile = root + "/" + name + "/pid"
            if let text = SystemFile.text(atPath: pidFile) {
                let fields = text.split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
                if fields.count == 3, let task = pid_t(exactly: fields[1]), let guardPID = pid_t(exactly: fields[0]),
                   task > 0, startTime(of: task) == fields[2] {
                    kill(-task, SIGKILL)
                    kill(guardPID, SIGKILL)
                }
            }
            try? FileManager.default.removeItem(atPath: root + "/" + name)
        }
    }

    /// A short, stable name for this executor's cgroups.
    private static func scope(of root: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in URL(fileURLWithPath: root).standardizedFileURL.path.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
