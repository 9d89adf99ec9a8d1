import ColmeiaModel
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Each process task in a cgroup of its own, carrying the spec's memory, CPU and pids
/// limits: cgroup v2 when its memory controller is enabled, else the v1 `memory`, `cpu`
/// and `pids` hierarchies. The groups of one daemon live under `colmeia-<scope>` in each
/// hierarchy, so that a restarted daemon can find and kill what an earlier run left.
struct ProcessCgroups: Sendable {
    enum Layout: Sendable, Hashable {
        /// The v2 hierarchy's mount point.
        case v2(String)
        /// The v1 mount points of the controllers found.
        case v1(memory: String?, cpu: String?, pids: String?)
        /// Why there are none.
        case unavailable(String)
    }

    let layout: Layout
    /// `colmeia-<hash of the data directory>`.
    let scope: String

    init(scope: String, layout: Layout = ProcessCgroups.detect()) {
        self.scope = "colmeia-" + scope
        self.layout = layout
    }

    /// Finds the cgroup hierarchies from `/proc/self/mountinfo`.
    static func detect() -> Layout {
        guard geteuid() == 0 else { return .unavailable("colmeiad is not running as root") }
        guard let text = SystemFile.text(atPath: "/proc/self/mountinfo") else {
            return .unavailable("/proc/self/mountinfo cannot be read")
        }
        var v2: String?
        var v1: [String: String] = [:]
        for line in text.split(separator: "\n") {
            // `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER`
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 4, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            let mountPoint = fields[4]
            let type = fields[dash + 1]
            // A hierarchy mounted read-only (a container's view of it) cannot take groups.
            guard fields[5].split(separator: ",").contains("rw") else { continue }
            if type == "cgroup2" {
                let controllers = SystemFile.text(atPath: mountPoint + "/cgroup.controllers") ?? ""
                if controllers.split(whereSeparator: \.isWhitespace).contains("memory") { v2 = v2 ?? mountPoint }
            } else if type == "cgroup", dash + 3 < fields.count {
                for option in fields[dash + 3].split(separator: ",") where ["memory", "cpu", "pids"].contains(String(option)) {
                    v1[String(option)] = v1[String(option)] ?? mountPoint
                }
            }
        }
        if let v2 { return .v2(v2) }
        if !v1.isEmpty { return .v1(memory: v1["memory"], cpu: v1["cpu"], pids: v1["pids"]) }
        return .unavailable("no cgroup v2 hierarchy with the memory controller and no v1 memory, cpu or pids hierarchy is mounted "
                            + "read-write (inside a container, /sys/fs/cgroup is read-only)")
    }

    /// The directories of one task's group (one per hierarchy), or of the scope.
    private func directories(_ taskID: String?) -> [(controller: String, path: String)] {
        let leaf = scope + (taskID.map { "/" + $0 } ?? "")
        switch layout {
        case .v2(let root): return [("v2", root + "/" + leaf)]
        case .v1(let memory, let cpu, let pids):
            return [("memory", memory), ("cpu", cpu), ("pids", pids)].compactMap { entry in
                entry.1.map { (entry.0, $0 + "/" + leaf) }
            }
        case .unavailable: return []
        }
    }

    /// Creates the task's group with its limits and returns open `cgroup.procs` files for
    /// the task to join. Without cgroups, a task with limits is refused in clear words; one
    /// without runs ungrouped.
    func prepare(taskID: String, limits: Limit?) throws(TaskFailure) -> [Int32] {
        let memory = limits?.memoryBytes ?? 0
        let cpus = limits?.nanoCPUs ?? 0
        let pids = limits?.pids ?? 0
        if case .unavailable(let reason) = layout {
            if memory > 0 || cpus > 0 || pids > 0 {
                throw TaskFailure("the process executor cannot apply the task's resource limits: \(reason)")
            }
            return []
        }
        if case .v1(let memoryRoot, let cpuRoot, let pidsRoot) = layout {
            if memory > 0, memoryRoot == nil { throw TaskFailure("the process executor cannot limit memory: no cgroup memory controller is mounted") }
            if cpus > 0, cpuRoot == nil { throw TaskFailure("the process executor cannot limit CPU: no cgroup cpu controller is mounted") }
            if pids > 0, pidsRoot == nil { throw TaskFailure("the process executor cannot limit pids: no cgroup pids controller is mounted") }
        }
        var files: [Int32] = []
        do throws(TaskFailure) {
            if case .v2(let root) = layout {
                // Controllers must be enabled from the root down to the scope.
                try write("+memory +cpu +pids", to: root + "/cgroup.subtree_control", optional: true)
                try makeDirectory(root + "/" + scope)
                try write("+memory +cpu +pids", to: root + "/" + scope + "/cgroup.subtree_control", optional: true)
            }
            for (_, path) in directories(nil) { try makeDirectory(path) }
            for (controller, path) in directories(taskID) {
                try makeDirectory(path)
                switch controller {
                case "v2":
                    if memory > 0 {
                        try write(String(memory), to: path + "/memory.max")
                        try write("0", to: path + "/memory.swap.max", optional: true)
                    }
                    if cpus > 0 { try write("\(max(1000, cpus * 100_000 / 1_000_000_000)) 100000", to: path + "/cpu.max") }
                    if pids > 0 { try write(String(pids), to: path + "/pids.max") }
                case "memory" where memory > 0:
                    try write(String(memory), to: path + "/memory.limit_in_bytes")
                    try write(String(memory), to: path + "/memory.memsw.limit_in_bytes", optional: true)
                case "cpu" where cpus > 0:
                    try write("100000", to: path + "/cpu.cfs_period_us")
                    try write(String(max(1000, cpus * 100_000 / 1_000_000_000)), to: path + "/cpu.cfs_quota_us")
                case "pids" where pids > 0:
                    try write(String(pids), to: path + "/pids.max")
                default:
                    break
                }
                let fd = open(path + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { throw TaskFailure("cannot open \(path)/cgroup.procs: \(Self.lastError())") }
                files.append(fd)
            }
        } catch {
            for fd in files { close(fd) }
            remove(taskID: taskID)
            throw error
        }
        return files
    }

    /// Open `cgroup.procs` files of the task's existing group (for its healthcheck probes).
    func join(taskID: String) -> [Int32] {
        directories(taskID).compactMap { entry in
            let fd = open(entry.path + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
            return fd >= 0 ? fd : nil
        }
    }

    /// Kills whatever still runs in the task's group and removes it.
    func remove(taskID: String) {
        for (_, path) in directories(taskID) { Self.killAndRemove(path) }
    }

    /// Kills and removes every task group an earlier run of this daemon left; returns how
    /// many processes were killed.
    @discardableResult
    func sweep() -> Int {
        var killed = 0
        for (_, path) in directories(nil) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                killed += Self.killAndRemove(path + "/" + name)
            }
        }
        return killed
    }

    /// Whether a pid is in one of the task's groups (for tests and the sweep).
    func processes(of taskID: String) -> [Int32] {
        directories(taskID).flatMap { Self.members($0.path) }
    }

    @discardableResult
    private static func killAndRemove(_ path: String) -> Int {
        var killed = 0
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        for _ in 0..<50 {
            let pids = members(path)
            if pids.isEmpty { break }
            killed = max(killed, pids.count)
            for pid in pids { kill(pid, SIGKILL) }
            usleep(20_000)
        }
        rmdir(path)
        return killed
    }

    private static func members(_ path: String) -> [Int32] {
        guard let text = SystemFile.text(atPath: path + "/cgroup.procs") else { return [] }
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    private func makeDirectory(_ path: String) throws(TaskFailure) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw TaskFailure("cannot create cgroup \(path): \(Self.lastError())")
        }
    }

    private func write(_ value: String, to path: String, optional: Bool = false) throws(TaskFailure) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if optional { return }
            throw TaskFailure("cannot set \(path): \(Self.lastError())")
        }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count && !optional {
            throw TaskFailure("cannot set \(path) to \(value): \(Self.lastError())")
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
