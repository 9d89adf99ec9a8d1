import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Progress on a real terminal: a private tmux server runs `colmeia`, and capture-pane reads
/// what a person would see.
@Suite(.serialized)
struct TerminalProgressTests {
    /// A tmux server on its own socket, ended by the test that made it.
    final class Tmux {
        let socket = "colmeia-cli-test-\(UUID().uuidString.prefix(8))"

        /// Runs a tmux command and waits for it. Only `capture` goes through Foundation's
        /// Process: the server that `new-session` forks inherits Process's bookkeeping
        /// descriptors, and `waitUntilExit` would then wait for the server, not the client.
        @discardableResult
        func run(_ arguments: [String], capture: Bool = false) throws -> String {
            let command = ["/usr/bin/tmux", "-L", socket] + arguments
            guard capture else {
                try Self.spawnAndWait(command)
                return ""
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }

        /// posix_spawn with /dev/null for the standard descriptors, then waitpid.
        static func spawnAndWait(_ command: [String]) throws {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for descriptor in Int32(0)...2 {
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
            }
            // Default signal handling: a pane's shell that inherited an ignored SIGHUP would
            // outlive `kill-server`, and the server with it.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigdefault(&attributes, &all)
            var none = sigset_t()
            sigemptyset(&none)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
            let argv = command.map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
            guard spawned == 0 else { throw HarnessError("cannot run \(command[0]): errno \(spawned)") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }

        func screen() throws -> String { try run(["capture-pane", "-p", "-t", "cli"], capture: true) }

        deinit { _ = try? run(["kill-server"]) }
    }

    @Test("service create --replicas 3 draws bars that reach 'verify: Service converged'; Ctrl-C stops watching only")
    func bars() async throws {
        let daemon = CLIHarness()
        try await daemon.start()
        let tmux = Tmux()
        let colmeia = try CLIHarness.executable("colmeia")
        try tmux.run(["new-session", "-d", "-s", "cli", "-x", "160", "-y", "40", "-e", "COLMEIA_HOST=unix://" + daemon.socket])
        try tmux.run(["send-keys", "-t", "cli", "\(colmeia) service create --replicas 3 --name web --update-monitor 1s busybox sleep 300", "Enter"])
        try await daemon.until("the progress reaches converged", timeout: .seconds(90)) {
            try tmux.screen().contains("verify: Service converged")
        }
        let screen = try tmux.screen()
        let bar = "[" + String(repeating: "=", count: 50) + ">]"
        #expect(screen.contains("overall progress: 3 out of 3 tasks"), "\(screen)")
        for slot in 1...3 { #expect(screen.contains("\(slot)/3: running   \(bar)"), "\(screen)") }
        // Redrawn in place: each line appears once on the screen.
        #expect(screen.components(separatedBy: "overall progress:").count == 2, "\(screen)")
        #expect(screen.components(separatedBy: "1/3:").count == 2, "\(screen)")

        // A service that cannot converge; Ctrl-C leaves it in place.
        try tmux.run(["send-keys", "-t", "cli", "clear; \(colmeia) service create --name stuck --constraint node.role==worker busybox sleep 300", "Enter"])
        try await daemon.until("the stuck service shows progress") { try tmux.screen().contains("overall progress: 0 out of 1 tasks") }
        try tmux.run(["send-keys", "-t", "cli", "C-c", ""])
        try await daemon.until("watching stops") { try tmux.screen().contains("Operation continuing in background.") }
        #expect(try daemon.colmeia("service", "ls", "--format", "{{.Name}}").split(separator: "\n").contains("stuck"))
    }
}
