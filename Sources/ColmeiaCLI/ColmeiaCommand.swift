import ColmeiaBackup
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
                      NetworkCommand.self, StackCommand.self, EventsCommand.self, TokenCommand.self, BackupCommand.self,
                      AuditCommand.self, WebhookCommand.self, DeployCommand.self, NotifyCommand.self, VersionCommand.self]
    )

    public init() {}

    /// Parses and runs `arguments`; returns the exit status. Errors are one line on stderr:
    /// 125 for bad usage (as docker), 1 for everything else.
    public static func run(arguments: [String]) async -> Int32 {
        let command: any ParsableCommand
        let arguments = hoistingGlobalOptions(arguments)
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Console.out(fullMessage(for: error))
                return 0
            }
            Console.error("colmeia: " + oneLine(message(for: error)) + ". See '\(commandPath(arguments)) --help'.")
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
            return error.isUsage ? 125 : 1
        } catch let error as ColmeiaClientError {
            Console.error(oneLine(error.description))
            return 1
        } catch let error as BackupError {
            Console.error(oneLine(error.description))
            return 1
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // `help` and `--help` arrive here from ArgumentParser's help command.
                let text = fullMessage(for: error)
                if !text.isEmpty { Console.out(text) }
                return 0
            }
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

    /// `colmeia service create` for `["service", "create", "--bogus"]`: the commands named.
    static func commandPath(_ arguments: [String]) -> String {
        var path = ["colmeia"]
        var commands: [any ParsableCommand.Type] = configuration.subcommands
        for argument in arguments {
            guard let next = commands.first(where: {
                $0.configuration.commandName == argument || $0.configuration.aliases.contains(argument)
            }) else { break }
            path.append(argument)
            commands = next.configuration.subcommands
        }
        return path.joined(separator: " ")
    }

    /// Moves connection options written before the command (`colmeia -H unix:///x.sock service
    /// ls`, docker's order) to just after the command path, where the commands declare them.
    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        let withValue: Set<String> = ["-H", "--host", "--tlscacert", "--tlscert", "--tlskey"]
        let flags: Set<String> = ["--tls", "--tlsverify"]
        var hoisted: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if withValue.contains(first), rest.count >= 2 {
                hoisted += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if flags.contains(first) || withValue.contains(where: { first.hasPrefix($0 + "=") }) {
                hoisted.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !hoisted.isEmpty else { return arguments }
        let remaining = Array(rest)
        let depth = commandPath(remaining).split(separator: " ").count - 1
        return Array(remaining.prefix(depth)) + hoisted + Array(remaining.dropFirst(depth))
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
