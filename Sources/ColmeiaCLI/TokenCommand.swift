import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia token`: API bearer tokens with a role (admin only).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens",
        discussion: """
            A token is shown once, at creation; only a hash is kept. Clients send it as
            `Authorization: Bearer TOKEN` (colmeia --api-token or COLMEIA_TOKEN; the docker CLI
            through "HttpHeaders" in its config.json).
            Example:
              colmeia token create ci --role deployer --stack web --expires 720h
            """,
        subcommands: [TokenCreate.self, TokenList.self, TokenRemove.self]
    )
}

/// `colmeia token create NAME --role ROLE`.
struct TokenCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a token and print it (once)",
        discussion: "Example:\n  colmeia token create grafana --role viewer\n  colmeia token create ci --role deployer --label team=web")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "viewer, deployer, operator or admin") var role: String
    @Option(name: [.customShort("l"), .customLong("label")], help: "A deployer may touch only services with these labels")
    var label: [String] = []
    @Option(help: "A deployer may touch only this stack's services") var stack: String?
    @Option(help: "Expire after this long (e.g. 24h, 30m)") var expires: String?
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the token") var quiet = false
    @Argument(help: "The token's name") var name: String

    func run() async throws {
        guard let role = AccessRole(rawValue: role) else {
            throw CLIError("invalid argument \"\(role)\" for \"--role\" flag: must be one of viewer, deployer, operator, admin")
        }
        if role != .deployer && (!label.isEmpty || stack != nil) {
            throw CLIError("--label and --stack scope a deployer token; a \(role.rawValue) token reaches every service")
        }
        var spec = AccessTokenSpec(name: name, role: role, labels: ServiceSpecBuilder.labels(label), stack: stack)
        if let duration = try ServiceSpecBuilder.duration(expires, flag: "expires") {
            spec.expiresAt = Timestamp.now().adding(nanoseconds: duration)
        }
        let issued = try await global.withClient { try await $0.createToken(spec) }
        if quiet {
            Console.out(issued.token)
        } else {
            Console.out("Token \(issued.name) (\(issued.role.rawValue)), id \(issued.id). It is shown only now:")
            Console.out(issued.token)
        }
    }
}

/// `colmeia token ls`.
struct TokenList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List tokens", discussion: "Example:\n  colmeia token ls", aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "table (default) or json") var format: String?

    func run() async throws {
        let tokens = try await global.withClient { try await $0.tokens() }
        if format == "json" {
            Console.write(try JSONText.pretty(tokens) + "\n")
            return
        }
        let rows = tokens.sorted { $0.spec.name < $1.spec.name }.map { token -> [String] in
            var scope = token.spec.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            if let stack = token.spec.stack { scope.insert("stack=" + stack, at: 0) }
            return [token.id, token.spec.name, token.spec.role.rawValue, scope.isEmpty ? "-" : scope.joined(separator: ","),
                    token.spec.expiresAt?.rfc3339 ?? "never"]
        }
        Console.write(TextTable(headers: ["ID", "NAME", "ROLE", "SCOPE", "EXPIRES"], rows: rows).render())
    }
}

/// `colmeia token rm`.
struct TokenRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Revoke one or more tokens", discussion: "Example:\n  colmeia token rm ci", aliases: ["remove", "revoke"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Tokens (names or ids)") var tokens: [String]

    func run() async throws {
        try await global.withClient { client in
            try await RemoveRunner.run(tokens) { try await client.removeToken($0) }
        }
    }
}
