import CColmeiaSpawn
import ColmeiaModel
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A process task: the task in a process group of its own, under a small guard process
/// that kills that group when the daemon dies and exits with the task's code
/// (`colmeia_spawn.h`). Started in the task's cgroups and as the task's user.
struct GuardedProcess: Sendable {
    /// The process the daemon waits on.
    let guardPID: pid_t
    /// The task's pid, which is also its process group.
    let taskPID: pid_t

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Who the task runs as.
    struct Identity: Sendable, Hashable {
        var uid: uid_t
        var gid: gid_t
        var groups: [gid_t]
    }

    struct Request: Sendable {
        var executable: String
        var arguments: [String]
        var environment: [String: String]
        var directory: String
        /// Descriptors for stdout and stderr (-1: /dev/null). The caller closes them after.
        var stdout: Int32 = -1
        var stderr: Int32 = -1
        /// Open `cgroup.procs` files the guard joins before the task starts.
        var cgroupProcs: [Int32] = []
        /// nil: the daemon's own user.
        var identity: Identity?
        /// What the guard's command line says (`ps`): `colmeia-guard <task>`.
        var title = "colmeia-guard"
    }

    /// The daemon's command-line area, which a guard overwrites with its own title.
    private static let argumentArea: (address: UInt, size: Int)? = {
        guard let text = SystemFile.text(atPath: "/proc/self/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields from the third on; arg_start and arg_end are fields 48 and 49.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 46, let start = UInt(fields[45]), let end = UInt(fields[46]), end > start else { return nil }
        return (start, Int(end - start))
    }()

    /// Starts the request on the spawn thread; fails with the step and the system's words.
    static func spawn(_ request: Request) async throws(SpawnError) -> GuardedProcess {
        let outcome = await SpawnThread.shared.run { () -> Result<GuardedProcess, SpawnError> in
            spawnNow(request)
        }
        return try outcome.get()
    }

    private static func spawnNow(_ request: Request) -> Result<GuardedProcess, SpawnError> {
        let argv = ([request.executable] + request.arguments).map { strdup($0) } + [nil]
        let envp = request.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var result = colmeia_spawn_result()
        let status: Int32 = request.title.withCString { title in request.executable.withCString { path in
            request.directory.withCString { directory in
                request.cgroupProcs.withUnsafeBufferPointer { cgroups in
                    (request.identity?.groups ?? []).withUnsafeBufferPointer { groups in
                        argv.withUnsafeBufferPointer { argvBuffer in
                            envp.withUnsafeBufferPointer { envpBuffer in
                                var spawn = colmeia_spawn_request()
                                spawn.path = path
                                spawn.argv = argvBuffer.baseAddress
                                spawn.envp = envpBuffer.baseAddress
                                spawn.directory = directory
                                spawn.stdout_fd = request.stdout
                                spawn.stderr_fd = request.stderr
                                spawn.cgroup_fds = cgroups.baseAddress
                                spawn.cgroup_fd_count = Int32(cgroups.count)
                                if let identity = request.identity {
                                    spawn.set_ids = 1
                                    spawn.uid = identity.uid
                                    spawn.gid = identity.gid
                                    spawn.groups = groups.baseAddress
                                    spawn.group_count = Int32(groups.count)
                                }
                                spawn.no_new_privileges = 1
                                if let area = argumentArea {
                                    spawn.argument_area = UnsafeMutablePointer<CChar>(bitPattern: area.address)
                                    spawn.argument_area_size = area.size
                                    spawn.guard_title = title
                                }
                                return colmeia_spawn(&spawn, &result)
                            }
                        }
                    }
                }
            }
        } }
        guard status == 0 else {
            let step = withUnsafeBytes(of: result.failed_step) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let reason = String(cString: strerror(result.error_number))
            if step == "exec" {
                return .failure(SpawnError(description: "exec: \"\(request.executable)\": \(reason.lowercased())"))
            }
            return .failure(SpawnError(description: "\(step): \(reason.lowercased())"))
        }
        return .success(GuardedProcess(guardPID: result.guard_pid, taskPID: result.task_pid))
    }

    /// Waits for the guard on a thread of its own and returns the task's exit code (128 +
    /// the signal that killed it, as Docker reports it: 137 for SIGKILL).
    func exitCode() async -> Int {
        let pid = guardPID
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                let code = status & 0x7F == 0 ? Int((status >> 8) & 0xFF) : 128 + Int(status & 0x7F)
                continuation.resume(returning: code)
            }
            thread.stackSize = 64 * 1024
            thread.start()
        }
    }

    /// Signals the task's whole process group.
    func signal(_ signal: Int32) {
        kill(-taskPID, signal)
    }
}
