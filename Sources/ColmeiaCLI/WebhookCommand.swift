import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia webhook`: signed endpoints that roll a service to the image a CI system or a
/// registry announces.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Manage deploy webhooks",
        discussion: """
            A webhook rolls its service (or its stack's services) to the image a delivery names,
            with the service's own update policy; each delivery becomes a deploy (colmeia deploy ls).
            The secret is shown once, at creation or rotation.
            Example:
              colmeia webhook create web-ci --service web --provider github --tag 'v*'
            """,
        subcommands: [WebhookCreate.self, WebhookList.self, WebhookInspect.self, WebhookRotate.self, WebhookRemove.self]
    )
}

/// `colmeia webhook create NAME`.
struct WebhookCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a webhook and print its secret (once)",
        discussion: """
            Providers: github (X-Hub-Signature-256), gitlab (X-Gitlab-Token), generic
            (X-Colmeia-Signature: t=UNIX,v1=HMAC-SHA256(secret, "UNIX.body"), at most 5 minutes old),
            dockerhub (a secret token in the URL: weaker, anyone who sees the URL can call it).
            Examples:
              colmeia webhook create web-ci --service web --provider github --tag 'v*'
              colmeia webhook create web-main --service web --provider gitlab --branch main --image-template '{repository}:{short_sha}'
              colmeia webhook create hub --service web --provider dockerhub
              colmeia webhook create nightly --service web --provider generic --redeploy
            """)

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "The service to deploy (name or id)") var service: String?
    @Option(help: "Or: the stack whose services (those running the delivery's repository) are deployed") var stack: String?
    @Option(help: "github, gitlab, dockerhub or generic") var provider = "generic"
    @Flag(help: "Keep the image; replace the tasks (like docker service update --force) on each delivery") var redeploy = false
    @Option(help: "How the new image is written: {repository} {tag} {digest} {branch} {sha} {short_sha} (default {repository}:{tag})")
    var imageTemplate: String?
    @Option(help: "Deploy pushes of branches matching this pattern (* wildcard; repeatable)") var branch: [String] = []
    @Option(help: "Deploy only tags matching this pattern (* wildcard; repeatable)") var tag: [String] = []
    @Option(name: [.customShort("l"), .customLong("label")], help: "Webhook labels") var label: [String] = []
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the secret") var quiet = false
    @Argument(help: "The webhook's name (it is in its URL)") var name: String

    func run() async throws {
        guard let provider = WebhookSpec.Provider(rawValue: provider) else {
            throw CLIError("invalid argument \"\(provider)\" for \"--provider\" flag: must be one of github, gitlab, dockerhub, generic")
        }
        let spec = WebhookSpec(name: name, labels: ServiceSpecBuilder.labels(label), provider: provider, service: service, stack: stack,
                               imageSource: redeploy ? .redeploy : .payload, imageTemplate: imageTemplate, branches: branch, tags: tag)
        let created = try await global.withClient { try await $0.createWebhook(spec) }
        if quiet {
            Console.out(created.secret)
            return
        }
        Console.out("Webhook \(created.name) (\(created.provider.rawValue)), id \(created.id).")
        Console.out("Deliveries go to: POST \(created.path)")
        Console.out("Secret (shown only now):")
        Console.out(created.secret)
    }
}

/// `colmeia webhook ls`.
struct WebhookList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List webhooks", discussion: "Example:\n  colmeia webhook ls", aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "table (default) or json") var format: String?

    func run() async throws {
        let (hooks, services) = try await global.withClient { client in (try await client.webhooks(), try await client.services()) }
        if format == "json" {
            Console.write(try JSONText.pretty(hooks) + "\n")
            return
        }
        let names = Dictionary(services.map { ($0.id, $0.spec.name) }, uniquingKeysWith: { first, _ in first })
        let rows = hooks.sorted { $0.spec.name < $1.spec.name }.map { hook -> [String] in
            let target = hook.spec.service.map { "service " + (names[$0] ?? $0) } ?? "stack " + (hook.spec.stack ?? "")
            var rule = hook.spec.imageSource == .redeploy ? "redeploy" : (hook.spec.imageTemplate ?? "{repository}:{tag}")
            if !hook.spec.branches.isEmpty { rule += " branch=" + hook.spec.branches.joined(separator: ",") }
            if !hook.spec.tags.isEmpty { rule += " tag=" + hook.spec.tags.joined(separator: ",") }
            return [hook.id, hook.spec.name, hook.spec.provider.rawValue, target, rule]
        }
        Console.write(TextTable(headers: ["ID", "NAME", "PROVIDER", "DEPLOYS", "IMAGE RULE"], rows: rows).render())
    }
}

/// `colmeia webhook inspect`.
struct WebhookInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more webhooks")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("f"), .customLong("format")], help: "Format output using a Go template") var format: String?
    @Argument(help: "Webhooks (names or ids)") var webhooks: [String]

    func run() async throws {
        try await global.withClient { client in
            try await InspectRunner.run(webhooks, kind: "webhook", format: format, pretty: false,
                                        fetch: { try await client.webhook($0) }, render: { _ in "" })
        }
    }
}

/// `colmeia webhook rotate NAME`.
struct WebhookRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Give a webhook a new secret (the old one stops working) and print it",
        discussion: "Example:\n  colmeia webhook rotate web-ci")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the secret") var quiet = false
    @Argument(help: "The webhook (name or id)") var webhook: String

    func run() async throws {
        let rotated = try await global.withClient { try await $0.rotateWebhook(webhook) }
        if !quiet {
            Console.out("Webhook \(rotated.name) has a new secret; deliveries go to: POST \(rotated.path)")
        }
        Console.out(rotated.secret)
    }
}

/// `colmeia webhook rm`.
struct WebhookRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove one or more webhooks", discussion: "Example:\n  colmeia webhook rm web-ci", aliases: ["remove"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Webhooks (names or ids)") var webhooks: [String]

    func run() async throws {
        try await global.withClient { client in
            try await RemoveRunner.run(webhooks) { try await client.removeWebhook($0) }
        }
    }
}
