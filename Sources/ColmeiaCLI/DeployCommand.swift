import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia deploy`: the rollouts webhooks started, with their progress and outcome.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Follow webhook deploys",
        discussion: "Example:\n  colmeia deploy ls --filter service=web\n  colmeia deploy watch 7h2k…",
        subcommands: [DeployList.self, DeployInspect.self, DeployWatch.self]
    )

    /// `3/5` (and the failures, if any).
    static func progress(_ progress: Deploy.Progress) -> String {
        "\(progress.updated)/\(progress.total)" + (progress.failed > 0 ? " (\(progress.failed) failed)" : "")
    }
}

/// `colmeia deploy ls`.
struct DeployList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List deploys, newest first",
        discussion: "Filters: service=NAME, state=completed|rolled_back|…, id=, name=WEBHOOK-ID/\nExample:\n  colmeia deploy ls -f state=rolled_back",
        aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var list: ListOptions

    func run() async throws {
        let deploys = try await global.withClient { try await $0.deploys(filters: try list.filters()) }
        if list.quiet {
            for deploy in deploys { Console.out(deploy.id) }
            return
        }
        if let format = list.format, format != "table" {
            Console.write(try InspectOutput.render(deploys, format: format == "json" ? nil : format))
            return
        }
        let now = Date()
        let rows = deploys.map { deploy -> [String] in
            [deploy.id, deploy.webhookName, deploy.serviceName, deploy.image, deploy.state.rawValue, DeployCommand.progress(deploy.progress),
             RelativeTime.ago(deploy.createdAt.date, now: now)]
        }
        Console.write(TextTable(headers: ["ID", "WEBHOOK", "SERVICE", "IMAGE", "STATE", "PROGRESS", "CREATED"], rows: rows).render())
    }
}

/// `colmeia deploy inspect`.
struct DeployInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display a deploy with its progress per slot")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("f"), .customLong("format")], help: "Format output using a Go template") var format: String?
    @Argument(help: "Deploys (ids or id prefixes)") var deploys: [String]

    func run() async throws {
        try await global.withClient { client in
            try await InspectRunner.run(deploys, kind: "deploy", format: format, pretty: false,
                                        fetch: { try await client.deploy($0) }, render: { _ in "" })
        }
    }
}

/// `colmeia deploy watch ID`: prints progress until the deploy ends; exits 1 unless it completed.
struct DeployWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow a deploy until its outcome (exit status 1 unless it completed)",
        discussion: "Example:\n  colmeia deploy watch 7h2k…")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "Give up after this long (e.g. 10m)") var timeout: String?
    @Argument(help: "The deploy (id or id prefix)") var deploy: String

    func run() async throws {
        let limit = try ServiceSpecBuilder.duration(timeout, flag: "timeout")
        let started = ContinuousClock.now
        var last = ""
        let outcome: Deploy = try await global.withClient { client in
            while true {
                let detail = try await client.deploy(deploy)
                let line = "\(detail.deploy.serviceName) → \(detail.deploy.image): \(detail.deploy.state.rawValue) "
                    + DeployCommand.progress(detail.deploy.progress)
                    + (detail.deploy.message.isEmpty ? "" : " — " + detail.deploy.message)
                if line != last {
                    Console.out(line)
                    last = line
                }
                if detail.deploy.state.isFinal { return detail.deploy }
                if let limit, ContinuousClock.now - started > .nanoseconds(limit) {
                    throw CLIError("deploy \(detail.deploy.id) is still \(detail.deploy.state.rawValue) after \(timeout ?? "")")
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        guard outcome.state == .completed else { throw ExitCode(1) }
    }
}
