import ColmeiaClient
import Dispatch
import Foundation

/// Runs the progress watch after a service change unless `--detach`; Ctrl-C stops the
/// watching, never the operation (docker's "Operation continuing in background.").
enum ServiceWatch {
    static func follow(client: ColmeiaClient, serviceID: String, detach: Bool, quiet: Bool) async throws {
        guard !detach else { return }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            Console.write("\nOperation continuing in background.\nUse `colmeia service ps \(serviceID)` to check progress.\n")
            exit(0)
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        let write: @Sendable (String) -> Void
        if quiet {
            write = { _ in }
        } else {
            write = { text in Console.write(text) }
        }
        try await ServiceProgress.watch(client: client, serviceID: serviceID, terminal: Console.isTerminal, write: write)
    }
}
