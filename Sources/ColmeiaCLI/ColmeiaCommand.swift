import ArgumentParser
import ColmeiaClient
import Foundation

/// `colmeia`: the cluster's own command-line client, shaped like docker's swarm commands.
public struct ColmeiaCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "colmeia",
        abstract: "Manage a Colmeia cluster (Docker Swarm mode compatible).",
        discussion: """
            Connects to the daemon given by -H/--host or COLMEIA_HOST (unix:///path.sock or
            tcp://HOST:PORT), else to the first of /var/run/colmeia.sock, /run/colmeia.sock,
            $XDG_RUNTIME_DIR/colmeia.sock, /tmp/colmeia.sock that exists. TLS: --tls, --tlsverify,
            --tlscacert, --tlscert, --tlskey, or COLMEIA_TLS_VERIFY and COLMEIA_CERT_PATH.

            Example:
              colmeia swarm init
              colmeia service create --name web --replicas 3 -p 8080:80 nginx
              colmeia service ls
            """,
        subcommands: [SwarmCommand.self, NodeCommand.self, ServiceCommand.self, SecretCommand.self, ConfigCommand.self,
                      NetworkCommand.self, StackCommand.self, EventsCommand.self]
    )

    public init() {}

    /// Parses and runs `arguments`; returns the exit status. Errors are one line on stderr:
    /// 125 for bad usage (as docker), 1 for everything else.
    public static func run(arguments: [String]) async -> Int32 {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Console.out(fullMessage(for: error))
                return 0
            }
            Console.error("colmeia: " + oneLine(message(for: error)) + ". See 'colmeia \(arguments.first { !$0.hasPrefix("-") } ?? "") --help'.")
            return 125
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var command = command
                try command.run()
            }
            return 0
        } catch let error as CLIError {
            Console.error(oneLine(error.message))
            return 125
        } catch let error as ColmeiaClientError {
            Console.error(oneLine(error.description))
            return 1
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success { return 0 }
            Console.error(oneLine(message(for: error)))
            return code.rawValue == 0 ? 1 : code.rawValue
        }
    }

    /// Runs and exits the process with the status.
    public static func runAndExit(arguments: [String]) async -> Never {
        let code = await run(arguments: arguments)
        Console.flush()
        Foundation.exit(code)
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
