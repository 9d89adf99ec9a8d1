import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia notify`: receivers of signed JSON messages about deploys, nodes and services.
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Manage notification subscriptions",
        discussion: """
            Each message is a POST of JSON signed like a generic webhook:
            X-Colmeia-Signature: t=UNIX,v1=HMAC-SHA256(secret, "UNIX.body"), with X-Colmeia-Event and
            X-Colmeia-Delivery. A receiver that is down is retried with exponential back-off.
            Events: \(NotificationSubscription.eventTypes.joined(separator: ", ")).
            Example:
              colmeia notify create chat --url https://chat.example/hook --event deploy.failed --event deploy.rolled_back
            """,
        subcommands: [NotifyCreate.self, NotifyList.self, NotifyRemove.self, NotifyDeliveries.self]
    )
}

/// `colmeia notify create NAME --url URL`.
struct NotifyCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Subscribe a URL and print its signing secret (once)")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "Where messages are POSTed (http:// or https://)") var url: String
    @Option(help: "An event to send (repeatable; default: all)") var event: [String] = []
    @Option(name: [.customShort("l"), .customLong("label")], help: "Subscription labels") var label: [String] = []
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the secret") var quiet = false
    @Argument(help: "The subscription's name") var name: String

    func run() async throws {
        let spec = NotificationSubscription.Spec(name: name, url: url, events: event, labels: ServiceSpecBuilder.labels(label))
        let created = try await global.withClient { try await $0.createSubscription(spec) }
        if !quiet {
            Console.out("Subscription \(created.name), id \(created.id). Messages are signed with (shown only now):")
        }
        Console.out(created.secret)
    }
}

/// `colmeia notify ls`.
struct NotifyList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List subscriptions", aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    func run() async throws {
        let subscriptions = try await global.withClient { try await $0.subscriptions() }
        let rows = subscriptions.sorted { $0.spec.name < $1.spec.name }.map {
            [$0.id, $0.spec.name, $0.spec.url, $0.spec.events.isEmpty ? "all" : $0.spec.events.joined(separator: ",")]
        }
        Console.write(TextTable(headers: ["ID", "NAME", "URL", "EVENTS"], rows: rows).render())
    }
}

/// `colmeia notify rm`.
struct NotifyRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove subscriptions (and their delivery logs)", aliases: ["remove"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: "Subscriptions (names or ids)") var subscriptions: [String]

    func run() async throws {
        try await global.withClient { client in
            try await RemoveRunner.run(subscriptions) { try await client.removeSubscription($0) }
        }
    }
}

/// `colmeia notify deliveries NAME`: the delivery log.
struct NotifyDeliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "Show a subscription's delivery log, newest first")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "table (default) or json") var format: String?
    @Argument(help: "The subscription (name or id)") var subscription: String

    func run() async throws {
        let deliveries = try await global.withClient { try await $0.deliveries(of: subscription) }
        if format == "json" {
            Console.write(try JSONText.pretty(deliveries) + "\n")
            return
        }
        let rows = deliveries.map { delivery -> [String] in
            [delivery.id, delivery.event, delivery.state.rawValue, String(delivery.attempts),
             delivery.lastStatus == 0 ? "-" : String(delivery.lastStatus), delivery.lastError.isEmpty ? "-" : String(delivery.lastError.prefix(80)),
             delivery.createdAt.rfc3339]
        }
        Console.write(TextTable(headers: ["ID", "EVENT", "STATE", "ATTEMPTS", "LAST STATUS", "LAST ERROR", "CREATED"], rows: rows).render())
    }
}
