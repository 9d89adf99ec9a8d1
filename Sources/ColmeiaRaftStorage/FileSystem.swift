#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Directory-level POSIX operations. Creating, renaming or deleting a file only
/// becomes durable once its directory is fsynced, so callers pair each change with
/// ``syncDirectory(_:)``.
enum FileSystem {
    /// Joins a directory and a file name.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `mkdir -p`, fsyncing the parent of every directory it creates.
    static func createDirectory(_ path: String) throws(SystemCallError) {
        if isDirectory(path) { return }
        let parent = parentDirectory(of: path)
        if parent != path { try createDirectory(parent) }
        if mkdir(path, 0o755) != 0 {
            if errno == EEXIST && isDirectory(path) { return }
            throw .last("mkdir", path)
        }
        try syncDirectory(parent)
    }

    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Names of the entries in `path`, without `.` and `..`, sorted.
    static func listDirectory(_ path: String) throws(SystemCallError) -> [String] {
        guard let directory = opendir(path) else { throw .last("opendir", path) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw .last("readdir", path) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                UnsafeRawPointer(tuple).withMemoryRebound(
                    to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)
                ) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Makes entry creation, renames and deletions in `path` durable.
    static func syncDirectory(_ path: String) throws(SystemCallError) {
        let directory = try FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { directory.close() }
        try directory.sync()
    }

    static func removeFile(_ path: String) throws(SystemCallError) {
        if unlink(path) != 0 && errno != ENOENT { throw .last("unlink", path) }
    }

    static func rename(_ source: String, to destination: String) throws(SystemCallError) {
        if systemRename(source, destination) != 0 { throw .last("rename", source + " -> " + destination) }
    }

    /// Writes a new file atomically: temp file, fsync, rename over `path`, fsync the
    /// directory. A crash leaves either the old state or the complete new file, plus at
    /// worst a stray `.tmp` that the owner removes on open.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(SystemCallError) {
        let temporary = path + ".tmp"
        let file = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try file.write(bytes, at: 0)
            try file.sync()
            file.close()
            try rename(temporary, to: path)
        } catch {
            file.close()
            try? removeFile(temporary)
            throw error
        }
        try syncDirectory(parentDirectory(of: path))
    }
}

#if canImport(Glibc)
private func systemRename(_ source: String, _ destination: String) -> Int32 { Glibc.rename(source, destination) }
#elseif canImport(Darwin)
private func systemRename(_ source: String, _ destination: String) -> Int32 { Darwin.rename(source, destination) }
#endif
