import Foundation

/// Every colmeiad a test started, killed when the test process exits: a harness that a
/// test leaks (held by a closure, or never released after a failure) would otherwise leave
/// its daemon running on the machine after the run.
enum DaemonReaper {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pids: Set<Int32> = []
    nonisolated(unsafe) private static var registered = false

    static func track(_ pid: Int32) {
        lock.lock()
        defer { lock.unlock() }
        pids.insert(pid)
        guard !registered else { return }
        registered = true
        atexit { DaemonReaper.killAll() }
    }

    private static func killAll() {
        lock.lock()
        let tracked = pids
        lock.unlock()
        for pid in tracked {
            // Only a colmeiad of ours: the number may since have gone to another process.
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains("colmeiad") else { continue }
            kill(pid, SIGKILL)
        }
    }
}
