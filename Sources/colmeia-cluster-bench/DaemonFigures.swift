import Crypto
import Foundation

/// What a running colmeiad costs, read from outside it: its resident memory, its read
/// models' files (`state.db` with its WAL, in `/dev/shm` or in the data directory), and its
/// Prometheus instruments. Shared by the benches that report memory and disk.
enum DaemonFigures {
    /// Resident set size of `pid` in bytes (`VmRSS` of `/proc/<pid>/status`); 0 when unknown.
    static func rss(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kilobytes * 1024
    }

    /// User and system CPU seconds `pid` has used (`/proc/<pid>/stat`); 0 when unknown.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // After "PID (COMM) ": state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Where the read models of a data directory live and what `state.db` and its `-wal`
    /// and `-shm` files weigh there.
    struct StateDatabase {
        var bytes: Int
        /// `shm` (`/dev/shm/colmeia-<digest>-<member>/`), `disk` (under the data directory) or `none`.
        var location: String
    }

    /// `state.db*` of a data directory: in `/dev/shm` while the daemon keeps its read models
    /// in memory (the directories `colmeia-<digest>-<member>`), else under the data directory.
    static func stateDatabase(of dataDirectory: String) -> StateDatabase {
        var total = 0
        for directory in memoryDirectories(of: dataDirectory) {
            total += stateFiles(under: directory)
        }
        if total > 0 { return StateDatabase(bytes: total, location: "shm") }
        let onDisk = stateFiles(under: dataDirectory)
        return StateDatabase(bytes: onDisk, location: onDisk > 0 ? "disk" : "none")
    }

    /// The `/dev/shm` entries colmeiad made for this data directory (full paths).
    static func memoryDirectories(of dataDirectory: String) -> [String] {
        let prefix = "colmeia-\(digest(of: dataDirectory))-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []
        return names.filter { $0.hasPrefix(prefix) }.map { "/dev/shm/" + $0 }
    }

    /// Removes what colmeiad keeps in `/dev/shm` for this data directory (a killed daemon
    /// leaves it; a reboot clears it). Returns how many entries were removed.
    @discardableResult
    static func eraseMemoryDirectories(of dataDirectory: String) -> Int {
        var removed = 0
        for path in memoryDirectories(of: dataDirectory) where (try? FileManager.default.removeItem(atPath: path)) != nil {
            removed += 1
        }
        return removed
    }

    /// Removes the cgroups the process executor of a daemon on this data directory made
    /// (`colmeia-<FNV-1a of <data-dir>/tasks>` with a group per task, in each hierarchy):
    /// the daemon sweeps the task groups of an earlier run when it starts, but a data
    /// directory that is thrown away leaves them behind. Only empty groups go (rmdir).
    static func removeTaskCgroups(of dataDirectory: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in URL(fileURLWithPath: dataDirectory + "/tasks").standardizedFileURL.path.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let scope = "colmeia-" + String(hash, radix: 16)
        for hierarchy in ["", "/memory", "/cpu", "/pids", "/unified"] {
            let path = "/sys/fs/cgroup\(hierarchy)/\(scope)"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue {
                    rmdir(path + "/" + name)
                }
            }
            rmdir(path)
        }
    }

    /// The digest colmeiad names its `/dev/shm` entries after: the first 8 bytes of the
    /// SHA-256 of the absolute data directory, in hex.
    static func digest(of dataDirectory: String) -> String {
        let absolute = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        return SHA256.hash(data: Data(absolute.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Bytes of the files named `state.db`, `state.db-wal`, `state.db-shm` under `path`.
    private static func stateFiles(under path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        for case let relative as String in walker where (relative as NSString).lastPathComponent.hasPrefix("state.db") {
            total += size(of: path + "/" + relative)
        }
        return total
    }

    /// Bytes under `path` (a file or a directory tree).
    static func size(of path: String) -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        if !isDirectory.boolValue { return (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        var total = 0
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        for case let name as String in walker {
            total += (try? FileManager.default.attributesOfItem(atPath: path + "/" + name)[.size] as? Int) ?? 0
        }
        return total
    }

    /// The samples of a Prometheus text exposition by series (`name` or `name{labels}`);
    /// comments and lines that do not parse are skipped.
    static func samples(ofMetrics text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            // `name{labels} value [timestamp]`; label values may hold spaces.
            let nameEnd = line.lastIndex(of: "}").map { line.index(after: $0) } ?? line.firstIndex(of: " ") ?? line.endIndex
            let rest = line[nameEnd...].split(separator: " ")
            guard let first = rest.first, let value = Double(first) else { continue }
            samples[String(line[..<nameEnd])] = value
        }
        return samples
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
