import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Directories only this daemon's user may enter (0700), for the data directory and the
/// in-memory read models: a directory that exists but belongs to another user, or is a
/// symbolic link, is refused with its name (someone may have planted it to read the swarm).
public enum PrivateDirectory {
    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    /// Creates `path` (0700) or accepts an existing one of this user's, tightened to 0700
    /// (and, with `tightenContents`, every file in it to owner-only). `replaceIfLoose`
    /// removes an existing directory of this user's that others could read (a cache such as
    /// the read models, rebuilt from the log) instead of trusting what is in it.
    public static func ensure(_ path: String, what: String, tightenContents: Bool = false,
                              replaceIfLoose: Bool = false) throws(Refused) {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw Refused(description: "cannot inspect the \(what) \(path): \(lastError())") }
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty && !FileManager.default.fileExists(atPath: parent) {
                do {
                    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                } catch {
                    throw Refused(description: "cannot create \(parent) for the \(what): \(error.localizedDescription)")
                }
            }
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw Refused(description: "cannot create the \(what) \(path): \(lastError())")
            }
            guard lstat(path, &info) == 0 else { throw Refused(description: "cannot inspect the \(what) \(path): \(lastError())") }
        }
        let mode = info.st_mode & S_IFMT
        guard mode == S_IFDIR else {
            throw Refused(description: "the \(what) \(path) exists and is not a directory (a link or a file): refusing to use it")
        }
        guard info.st_uid == geteuid() else {
            throw Refused(description: "the \(what) \(path) exists and belongs to uid \(info.st_uid), not to this daemon's user "
                + "(uid \(geteuid())): refusing to use it; remove it if it is not another daemon's")
        }
        if info.st_mode & 0o077 != 0 {
            if replaceIfLoose {
                // Ours, but others could have read or changed it: start it afresh.
                try? FileManager.default.removeItem(atPath: path)
                guard mkdir(path, 0o700) == 0 else { throw Refused(description: "cannot recreate the \(what) \(path): \(lastError())") }
                return
            }
            guard chmod(path, 0o700) == 0 else { throw Refused(description: "cannot make the \(what) \(path) private: \(lastError())") }
        }
        if tightenContents { tighten(path) }
    }

    /// Removes group and other permissions from everything under `path` (files written by
    /// earlier versions with a wider mode), without following links.
    static func tighten(_ path: String) {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return }
        for case let name as String in walker {
            let full = path + "/" + name
            var info = stat()
            guard lstat(full, &info) == 0, info.st_mode & S_IFMT != S_IFLNK, info.st_mode & 0o077 != 0 else { continue }
            chmod(full, mode_t(info.st_mode & 0o7700))
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
