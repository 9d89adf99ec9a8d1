import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia stack`: placeholder until the compose support lands.
struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack", abstract: "Manage Swarm stacks", discussion: "Example:\n  colmeia stack deploy -c docker-compose.yml web",
        subcommands: [])
}
