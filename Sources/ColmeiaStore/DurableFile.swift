import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a file so that after a crash it is either absent or whole: to a temporary name
/// beside it, synced, renamed into place, and the directory synced.
enum DurableFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(Failure) {
        let partial = path + ".partial"
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(partial): \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(partial)
                throw Failure(description: "cannot write \(partial): \(reason)")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(partial)
            throw Failure(description: "cannot sync \(partial): \(reason)")
        }
        close(descriptor)
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw Failure(description: "cannot rename \(partial): \(String(cString: strerror(errno)))")
        }
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
