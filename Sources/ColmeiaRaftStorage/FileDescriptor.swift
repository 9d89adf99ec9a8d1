#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file, closed when the object goes away. Every call retries on `EINTR` and
/// loops over short reads and writes, so callers see all-or-error.
final class FileDescriptor {
    let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close() }

    /// Opens `path` with `open(2)` flags; `O_CLOEXEC` is always added so a spawned
    /// container runtime never inherits a WAL descriptor.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(SystemCallError) -> FileDescriptor {
        while true {
            let fd = systemOpen(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return FileDescriptor(path: path, fd: fd) }
            if errno != EINTR { throw .last("open", path) }
        }
    }

    var isOpen: Bool { fd >= 0 }

    func close() {
        if fd >= 0 {
            // The result is ignored on purpose: after close(2) fails the descriptor is
            // gone either way, and durability was already decided by the last fsync.
            _ = systemClose(fd)
            fd = -1
        }
    }

    /// The current file size.
    func size() throws(SystemCallError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .last("fstat", path) }
        return Int(info.st_size)
    }

    /// Reads the whole file.
    func readAll() throws(SystemCallError) -> [UInt8] {
        let count = try size()
        var failure: SystemCallError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let got = pread(fd, buffer.baseAddress.map { $0 + done }, count - done, off_t(done))
                if got > 0 {
                    done += got
                } else if got == 0 {
                    break  // Shrunk underneath us: return what exists.
                } else if errno != EINTR {
                    failure = .last("pread", path)
                    break
                }
            }
            initialized = done
        }
        if let failure { throw failure }
        return bytes
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: Int) throws(SystemCallError) -> [UInt8] {
        var failure: SystemCallError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let got = pread(fd, buffer.baseAddress.map { $0 + done }, count - done, off_t(offset + done))
                if got > 0 {
                    done += got
                } else if got == 0 {
                    break
                } else if errno != EINTR {
                    failure = .last("pread", path)
                    break
                }
            }
            initialized = done
        }
        if let failure { throw failure }
        return bytes
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: Int) throws(SystemCallError) {
        var failure: SystemCallError?
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let wrote = pwrite(fd, raw.baseAddress.map { $0 + done }, raw.count - done, off_t(offset + done))
                if wrote > 0 {
                    done += wrote
                } else if wrote < 0 && errno == EINTR {
                    continue
                } else {
                    failure = .last("pwrite", path)
                    return
                }
            }
        }
        if let failure { throw failure }
    }

    /// Flushes data and the metadata needed to read it back (the file size) — what an
    /// append needs, without forcing unrelated inode updates such as mtime.
    func syncData() throws(SystemCallError) {
        #if os(Linux)
        try retry("fdatasync") { fdatasync(fd) }
        #else
        try sync()
        #endif
    }

    /// Flushes data and all metadata.
    func sync() throws(SystemCallError) {
        #if canImport(Darwin)
        // On Darwin plain fsync only reaches the drive's cache.
        if fcntl(fd, F_FULLFSYNC) == 0 { return }
        #endif
        try retry("fsync") { fsync(fd) }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int) throws(SystemCallError) {
        try retry("ftruncate") { ftruncate(fd, off_t(length)) }
    }

    /// Takes an exclusive advisory lock without waiting; `false` if another open file
    /// description (another process, or another open in this one) holds it.
    func tryLock() throws(SystemCallError) -> Bool {
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            if errno == EWOULDBLOCK { return false }
            if errno != EINTR { throw .last("flock", path) }
        }
    }

    private func retry(_ operation: String, _ call: () -> Int32) throws(SystemCallError) {
        while call() != 0 {
            if errno != EINTR { throw .last(operation, path) }
        }
    }
}

// Module-qualified so the calls are not captured by the methods of the same name.
#if canImport(Glibc)
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
private func systemClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
#elseif canImport(Darwin)
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
private func systemClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
#endif
