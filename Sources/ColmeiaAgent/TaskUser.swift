import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Who a process task runs as: its spec's `User` (`name`, `uid`, `name:group`,
/// `uid:gid`) and `Groups`, resolved on this node. An empty `User` means the node's default
/// task user; root only when the spec names it and the node allows it.
struct TaskUser: Sendable, Hashable {
    var identity: GuardedProcess.Identity?
    /// The name to show (`nobody`, `1000`).
    var name: String

    /// - Parameters:
    ///   - user: the spec's `User`.
    ///   - groups: the spec's `Groups` (names or gids).
    ///   - defaultUser: who runs a task whose spec names nobody.
    ///   - allowRoot: whether this node runs tasks as root when a spec asks for it.
    static func resolve(_ user: String, groups: [String], defaultUser: String, allowRoot: Bool) throws(TaskFailure) -> TaskUser {
        let wanted = user.isEmpty ? defaultUser : user
        guard geteuid() == 0 else {
            // An unprivileged daemon runs tasks as itself, and only as itself.
            let me = getuid()
            if user.isEmpty || user == String(me) || user == userName(me) {
                return TaskUser(identity: nil, name: userName(me) ?? String(me))
            }
            throw TaskFailure("cannot run the task as user \(goQuoted(user)): colmeiad is not running as root")
        }
        let parts = wanted.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let account = lookupUser(parts[0]) else {
            throw TaskFailure("unable to find user \(parts[0]): no matching entries in passwd file")
        }
        var gid = account.gid
        if parts.count == 2 {
            guard let group = lookupGroup(parts[1]) else {
                throw TaskFailure("unable to find group \(parts[1]): no matching entries in group file")
            }
            gid = group
        }
        if account.uid == 0 || gid == 0 {
            guard !user.isEmpty, allowRoot else {
                throw TaskFailure(user.isEmpty
                    ? "the node's default task user \(goQuoted(defaultUser)) is root, which this node does not allow (start colmeiad with --process-allow-root)"
                    : "this node does not run process tasks as root (the task asks for user \(goQuoted(user))); start colmeiad with --process-allow-root to allow it")
            }
        }
        var supplementary = Set(account.groups)
        for name in groups {
            guard let group = lookupGroup(name) else {
                throw TaskFailure("unable to find group \(name): no matching entries in group file")
            }
            supplementary.insert(group)
        }
        if !allowRoot { supplementary.remove(0) }
        return TaskUser(identity: GuardedProcess.Identity(uid: account.uid, gid: gid, groups: supplementary.sorted()),
                        name: wanted)
    }

    private static func goQuoted(_ text: String) -> String { "\"" + text + "\"" }

    private static func userName(_ uid: uid_t) -> String? {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// A user by name or number, with its primary group and the groups listing it.
    private static func lookupUser(_ text: String) -> (uid: uid_t, gid: gid_t, groups: [gid_t])? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        if getpwnam_r(text, &entry, &buffer, buffer.count, &result) == 0, result != nil {
            return (entry.pw_uid, entry.pw_gid, memberships(entry.pw_name, entry.pw_gid))
        }
        guard let number = UInt32(text) else { return nil }
        // A number that names no account runs with that uid and gid, as Docker does.
        if getpwuid_r(number, &entry, &buffer, buffer.count, &result) == 0, result != nil {
            return (entry.pw_uid, entry.pw_gid, memberships(entry.pw_name, entry.pw_gid))
        }
        return (number, number, [])
    }

    private static func memberships(_ name: UnsafeMutablePointer<CChar>?, _ primary: gid_t) -> [gid_t] {
        guard let name else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primary, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, primary, &groups, &count) >= 0 else { return [] }
        }
        return Array(groups.prefix(Int(count)))
    }

    private static func lookupGroup(_ text: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        if getgrnam_r(text, &entry, &buffer, buffer.count, &result) == 0, result != nil { return entry.gr_gid }
        return UInt32(text)
    }
}
