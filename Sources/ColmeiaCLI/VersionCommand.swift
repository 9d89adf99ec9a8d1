import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia version`: this client's version and the daemon's, as `docker version` shows them.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Show the Colmeia version information",
        discussion: "Example:\n  colmeia version\n  colmeia version --format json")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("f"), .customLong("format")], help: "json, or a Go template over {\"Client\":…,\"Server\":…}")
    var format: String?

    func run() async throws {
        #if arch(x86_64)
            let arch = "amd64"
        #else
            let arch = "arm64"
        #endif
        let client: JSONValue = ["Version": .string(ColmeiaVersion.colmeia), "Os": "linux", "Arch": .string(arch)]
        var server: JSONValue = .null
        var failure: String?
        do {
            server = try await global.withClient { try await $0.version() }
        } catch {
            failure = "\(error)"
        }
        if let format {
            // `--format json` is one object, as docker version prints it (not inspect's array).
            let both = JSONValue.object(["Client": client, "Server": server])
            Console.write(format == "json" ? try JSONText.compact(both) + "\n" : try InspectOutput.render([both], format: format))
            if let failure { throw CLIError(failure) }
            return
        }
        var lines = ["Client: Colmeia", " Version:           \(ColmeiaVersion.colmeia)", " OS/Arch:           linux/\(arch)"]
        if case .object(let details) = server {
            func text(_ key: String) -> String { details[key]?.stringValue ?? "" }
            lines += ["", "Server: Colmeia \(ColmeiaVersion.colmeia)", " Engine:",
                      "  Version:          \(text("Version"))",
                      "  API version:      \(text("ApiVersion")) (minimum version \(text("MinAPIVersion")))",
                      "  OS/Arch:          \(text("Os"))/\(text("Arch"))",
                      "  Kernel Version:   \(text("KernelVersion"))"]
        }
        Console.write(lines.joined(separator: "\n") + "\n")
        if let failure { throw CLIError("cannot reach the daemon: \(failure)") }
    }
}
