import Foundation
import Testing

/// Progress on a real terminal: a private tmux server runs `colmeia`, and capture-pane reads
/// what a person would see.
@Suite(.serialized, .disabled("hangs under swift test: the test process never returns from `tmux new-session -d`; run by hand until fixed"))
struct TerminalProgressTests {
    /// A tmux server on its own socket, ended by the test that made it.
    final class Tmux {
        let socket = "colmeia-cli-test-\(UUID().uuidString.prefix(8))"

        /// Runs a tmux command; only `capture` reads its output (the server that `new-session`
        /// forks would otherwise hold the pipe open).
        @discardableResult
        func run(_ arguments: [String], capture: Bool = false) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
            process.arguments = ["-L", socket] + arguments
            let out = Pipe()
            process.standardOutput = capture ? out : FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = capture ? out.fileHandleForReading.readDataToEndOfFile() : Data()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
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
