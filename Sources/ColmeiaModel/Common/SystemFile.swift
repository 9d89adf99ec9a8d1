#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the small files of `/proc`, `/sys` and `/etc` that the daemon reads over and over
/// (a task's `cgroup.procs`, a process's `stat`, a caller's `comm`).
///
/// Not `String(contentsOfFile:)`: for a file whose size the kernel reports as 0 (the files
/// of `/proc` and `/sys`) and which reads empty, Foundation's reader leaks its buffer, about
/// 4 KB a call (20,000 reads of an empty cgroup's `cgroup.procs`: +81 MB RSS). A worker
/// reads `cgroup.procs` until it is empty each time a task ends, so it grew by about 1 MB
/// per 1,000 task changes.
public enum SystemFile {
    /// The file's text (invalid UTF-8 repaired), at most `limit` bytes of it; nil when it
    /// cannot be opened or read.
    public static func text(atPath path: String, limit: Int = 1 << 20) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, min($0.count, limit - bytes.count)) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
